/**
 * What PostgreSQL's text cannot hold: NUL, and UTF-16 surrogates without their pair (which JSON
 * carries as `\ud800` and jsonb refuses, "unsupported Unicode escape sequence").
 */
// eslint-disable-next-line no-control-regex -- NUL is what it must find
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text a cloud reported, as PostgreSQL can store it: each character it cannot hold written as its
 * escape, `\u0000`, which is also how it is shown. Anything else is kept as it is.
 */
export function storableText(text: string): string {
  return text.replace(
    unstorable,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const unstorableOnce = new RegExp(unstorable.source);

/** Whether PostgreSQL's text and jsonb hold `text` as it is (no NUL, no half surrogate pair). */
export function isStorableText(text: string): boolean {
  return !unstorableOnce.test(text);
}

/** The first string in a JSON value (object keys too) that is not storable text; undefined if none. */
export function unstorableTextIn(value: unknown): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : value;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = unstorableTextIn(key) ?? unstorableTextIn(item);
    if (found !== undefined) return found;
  }
  return undefined;
}
