/**
 * The forms a secret takes in text a far side sends back: as it is, JSON-escaped (once, or twice
 * when a JSON message quotes a JSON body), URL-encoded (as a query or a form writes it), and
 * HTML-escaped. A password with `"`, `\` or a tab looks different in each, so matching only the
 * literal text lets the others through.
 */
function writtenForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [
    secret,
    json,
    JSON.stringify(json).slice(1, -1),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    secret
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;'),
  ];
  // Longest first, so a longer form is not half-replaced through a shorter one inside it.
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** `text` with every written form of each secret replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of writtenForms(secret)) result = result.split(form).join('***');
  }
  return result;
}
