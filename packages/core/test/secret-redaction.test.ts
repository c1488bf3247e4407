import { redactSecrets } from '../src/secret-redaction';

const secret = 'p"a\\s\ts w&<rd>';

test('a secret is redacted as it is, JSON-escaped once and twice, URL-encoded and HTML-escaped', () => {
  const json = JSON.stringify(secret).slice(1, -1);
  const texts = [
    `literal ${secret} end`,
    `json {"password": "${json}"} end`,
    `quoted ${JSON.stringify(JSON.stringify({ password: secret }))} end`,
    `query ?password=${encodeURIComponent(secret)}&x end`,
    `form password=${encodeURIComponent(secret).replace(/%20/g, '+')}&x end`,
    `html <b>p&quot;a\\s\ts w&amp;&lt;rd&gt;</b> end`,
  ];
  for (const text of texts) {
    const redacted = redactSecrets(text, [secret]);
    expect(redacted).toContain('***');
    expect(redacted).not.toMatch(/w&|w%26|rd>|rd&gt;|rd%3E/);
    expect(redacted.endsWith(' end')).toBe(true);
  }
});

test('text without the secret, and empty secrets, leave the text alone', () => {
  expect(redactSecrets('nothing to see', [secret, ''])).toBe('nothing to see');
});
