/**
 * Fields that hold secrets wherever they appear in a logged object: the logins', headers and
 * cookies. The site types' credential secrets are added by the caller, who knows the site types.
 */
const commonSecretFields = [
  'password',
  'secret',
  'applicationCredentialSecret',
  'token',
  'csrfToken',
  'authorization',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'x-subject-token',
  'x-csrf-token',
  'openrc',
  'cloudsYaml',
  'secureYaml',
];

/** Every path to a secret field up to four levels down, in pino's redaction syntax. */
function redactedPaths(secretFields: readonly string[]): string[] {
  return secretFields.flatMap((field) => {
    const identifier = /^[A-Za-z_$][\w$]*$/.test(field);
    const key = identifier ? `.${field}` : `["${field}"]`;
    const nested = ['*', '*.*', '*.*.*'].map((parents) => `${parents}${key}`);
    return identifier ? [field, ...nested] : nested;
  });
}

/**
 * pino's options for the API (Fastify's logger) and the daemon: JSON lines, with secrets replaced
 * wherever a logged object carries them.
 */
export function loggerOptions(
  level: string,
  siteSecretFields: readonly string[] = [],
): {
  level: string;
  redact: { paths: string[]; censor: string };
} {
  const fields = [...new Set([...siteSecretFields, ...commonSecretFields])];
  return { level, redact: { paths: redactedPaths(fields), censor: '[redacted]' } };
}
