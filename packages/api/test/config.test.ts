import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../src/config';

const key = () => randomBytes(32).toString('base64');

const required = {
  GLINT_KEYSTONE_URL: 'https://keystone.example.org:5000',
  GLINT_SESSION_SECRET: 'x'.repeat(32),
  GLINT_CREDENTIAL_KEYS: `2025:${key()}`,
  GLINT_CREDENTIAL_KEY_ID: '2025',
};

test('the required settings alone give a working configuration with defaults', () => {
  const config = loadConfig(required);
  expect(config).toMatchObject({
    host: '127.0.0.1',
    port: 8080,
    tls: null,
    trustProxy: false,
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/glint',
    migrateOnStart: false,
    redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'glint:' },
    keystone: { authUrl: 'https://keystone.example.org:5000/v3' },
    // Keystone's default role names; no Glint administrators until a project is named.
    roles: { reader: ['reader'], member: ['member'], admin: ['admin'], glintAdmin: null },
    session: { ttlSeconds: 8 * 3600, secureCookie: 'auto' },
    tokenCacheSeconds: 300,
  });
  expect(config.credentialKeys.currentKeyId).toBe('2025');
  expect(config.credentialKeys.keys.get('2025')).toHaveLength(32);
});

test('values are read as their types', () => {
  const config = loadConfig({
    ...required,
    GLINT_PORT: '9000',
    GLINT_MIGRATE_ON_START: 'true',
    GLINT_SESSION_TTL: '60',
    GLINT_COOKIE_SECURE: 'always',
    GLINT_PROJECT_ADMIN_ROLES: 'admin, glint-admin',
    GLINT_ADMIN_PROJECT: 'cloud_admin',
  });
  expect(config).toMatchObject({
    port: 9000,
    migrateOnStart: true,
    session: { ttlSeconds: 60, secureCookie: true },
    roles: {
      reader: ['reader'],
      member: ['member'],
      admin: ['admin', 'glint-admin'],
      glintAdmin: { project: 'cloud_admin', projectDomain: 'Default', role: 'admin' },
    },
  });
});

test('GLINT_ADMIN_ROLES, which made any admin role a Glint admin, stops the start saying what replaced it', () => {
  expect(() => loadConfig({ ...required, GLINT_ADMIN_ROLES: 'admin' })).toThrow(
    /GLINT_ADMIN_ROLES.*GLINT_ADMIN_ROLE and GLINT_ADMIN_PROJECT/,
  );
});

test.each([
  ['true', true],
  ['10.0.0.1,10.0.0.2', '10.0.0.1,10.0.0.2'],
])('GLINT_TRUST_PROXY=%s', (value, expected) => {
  expect(loadConfig({ ...required, GLINT_TRUST_PROXY: value }).trustProxy).toEqual(expected);
});

test('GLINT_TRUST_PROXY as a number trusts that many hops', () => {
  const trust = loadConfig({ ...required, GLINT_TRUST_PROXY: '1' }).trustProxy as (
    address: string,
    hop: number,
  ) => boolean;
  expect([trust('10.0.0.1', 0), trust('10.0.0.2', 1)]).toEqual([true, false]);
});

test.each([
  ['a missing Keystone URL', { GLINT_KEYSTONE_URL: undefined }, /GLINT_KEYSTONE_URL/],
  ['a Keystone v2 URL', { GLINT_KEYSTONE_URL: 'http://k:5000/v2.0' }, /GLINT_KEYSTONE_URL.*v2/],
  ['a short session secret', { GLINT_SESSION_SECRET: 'short' }, /GLINT_SESSION_SECRET/],
  [
    'a key of the wrong size',
    { GLINT_CREDENTIAL_KEYS: `2025:${randomBytes(16).toString('base64')}` },
    /"2025" is 16 bytes, not 32/,
  ],
  ['a key without an id', { GLINT_CREDENTIAL_KEYS: key() }, /id:base64key/],
  ['a key listed twice', { GLINT_CREDENTIAL_KEYS: `2025:${key()},2025:${key()}` }, /twice/],
  [
    'a current key that is not listed',
    { GLINT_CREDENTIAL_KEY_ID: '2026' },
    /GLINT_CREDENTIAL_KEY_ID.*2026/,
  ],
  ['half a TLS setting', { GLINT_TLS_CERT: '/etc/glint/cert.pem' }, /GLINT_TLS_KEY/],
  ['a port that is not one', { GLINT_PORT: 'eighty' }, /GLINT_PORT/],
  [
    'a CORS origin that is no URL',
    { GLINT_CORS_ORIGINS: 'horizon' },
    /GLINT_CORS_ORIGINS: "horizon"/,
  ],
  [
    'a CORS origin with a path',
    { GLINT_CORS_ORIGINS: 'https://dash.example.org/horizon' },
    /give scheme:\/\/host\[:port\] only, e.g. https:\/\/dash.example.org/,
  ],
])('%s is a ConfigError naming the setting', (_name, overrides, message) => {
  const environment = { ...required, ...overrides };
  expect(() => loadConfig(environment)).toThrow(ConfigError);
  expect(() => loadConfig(environment)).toThrow(message);
});

test('a configuration error never shows a key', () => {
  const badKey = randomBytes(31).toString('base64');
  expect(() => loadConfig({ ...required, GLINT_CREDENTIAL_KEYS: `old:${badKey}` })).toThrow(
    expect.objectContaining({ message: expect.not.stringContaining(badKey) }),
  );
});

test('GLINT_CORS_ORIGINS lists the dashboards allowed to embed the panel; none by default', () => {
  expect(loadConfig(required).corsOrigins).toEqual([]);
  const config = loadConfig({
    ...required,
    GLINT_CORS_ORIGINS: 'https://dash.example.org, http://127.0.0.1:15500/',
  });
  expect(config.corsOrigins).toEqual(['https://dash.example.org', 'http://127.0.0.1:15500']);
});
