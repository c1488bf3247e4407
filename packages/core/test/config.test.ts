import { randomBytes } from 'node:crypto';
import {
  allSettings,
  ApiSettings,
  checkSetting,
  ConfigError,
  DaemonSettings,
  loadSettings,
} from '../src/config';

const apiRequired = {
  GLINT_KEYSTONE_URL: 'https://keystone.example.org:5000',
  GLINT_SESSION_SECRET: 'x'.repeat(32),
  GLINT_CREDENTIAL_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  GLINT_CREDENTIAL_KEY_ID: 'k1',
};

test('each process reads its own subset; the shared settings are in both, with one default', () => {
  const api = Object.keys(ApiSettings.properties);
  const daemon = Object.keys(DaemonSettings.properties);
  expect(api).toContain('GLINT_SESSION_SECRET');
  expect(daemon).not.toContain('GLINT_SESSION_SECRET');
  expect(daemon).toContain('GLINT_DAEMON_CONCURRENCY');
  expect(api).not.toContain('GLINT_DAEMON_CONCURRENCY');
  for (const name of ['GLINT_DATABASE_URL', 'GLINT_REDIS_URL', 'GLINT_CREDENTIAL_KEYS']) {
    expect(ApiSettings.properties[name as 'GLINT_DATABASE_URL']).toBe(allSettings[name]);
    expect(DaemonSettings.properties[name as 'GLINT_DATABASE_URL']).toBe(allSettings[name]);
  }
  expect(Object.keys(allSettings).sort()).toEqual([...new Set([...api, ...daemon])].sort());
});

test('every setting is documented', () => {
  for (const [name, schema] of Object.entries(allSettings))
    expect([name, typeof (schema as { description?: string }).description]).toEqual([
      name,
      'string',
    ]);
});

test('text is read as the setting’s type; blank counts as unset and takes the default', () => {
  const settings = loadSettings(ApiSettings, {
    ...apiRequired,
    GLINT_PORT: ' 9000 ',
    GLINT_MIGRATE_ON_START: 'TRUE',
    GLINT_HOST: '',
    GLINT_TLS_CERT: '  ',
  });
  expect(settings).toMatchObject({ GLINT_PORT: 9000, GLINT_MIGRATE_ON_START: true });
  expect(settings.GLINT_HOST).toBe('127.0.0.1');
  expect(settings.GLINT_TLS_CERT).toBeUndefined();
});

test('every setting at fault is named in one error, with what it should be', () => {
  const load = () =>
    loadSettings(DaemonSettings, {
      GLINT_CREDENTIAL_KEY_ID: 'k1',
      GLINT_JOB_ATTEMPTS: '1000',
      GLINT_DAEMON_LOCK_SECONDS: '1.5',
    });
  expect(load).toThrow(ConfigError);
  expect(load).toThrow(
    'GLINT_CREDENTIAL_KEYS is not set; ' +
      'GLINT_JOB_ATTEMPTS is "1000", not a whole number from 1 to 100; ' +
      'GLINT_DAEMON_LOCK_SECONDS is "1.5", not a positive whole number',
  );
});

test.each([
  ['GLINT_LOG_LEVEL', 'loud', /GLINT_LOG_LEVEL is "loud", not one of fatal, error, warn, info/],
  ['GLINT_MIGRATE_ON_START', 'yes', /GLINT_MIGRATE_ON_START is "yes", not true or false/],
  [
    'GLINT_TOKEN_CACHE_TTL',
    '-1',
    /GLINT_TOKEN_CACHE_TTL is "-1", not a whole number of at least 0/,
  ],
  ['GLINT_REDIS_URL', 'localhost', /GLINT_REDIS_URL is "localhost", not a redis:\/\/ or rediss/],
])('%s=%s is refused', (name, value, message) => {
  expect(() => loadSettings(ApiSettings, { ...apiRequired, [name]: value })).toThrow(message);
});

test('an error never repeats a secret, nor the password in a URL', () => {
  const load = () =>
    loadSettings(ApiSettings, {
      ...apiRequired,
      GLINT_SESSION_SECRET: 'hunter2',
      GLINT_DATABASE_URL: 'mysql://glint:s3cret@db/glint',
    });
  expect(load).toThrow(
    'GLINT_DATABASE_URL is "mysql://glint:***@db/glint", not a postgres:// URL; ' +
      'GLINT_SESSION_SECRET is not at least 32 characters long',
  );
});

test('a retired setting stops start-up, naming what replaced it, rather than being ignored', () => {
  const load = () =>
    loadSettings(DaemonSettings, {
      ...apiRequired,
      GLINT_IMPORT_ALLOWED_NETWORKS: '10.20.0.0/16',
    });
  expect(load).toThrow(ConfigError);
  expect(load).toThrow(
    /^GLINT_IMPORT_ALLOWED_NETWORKS is no longer read: GLINT_OUTBOUND_ALLOW replaced it/,
  );
  expect(() =>
    loadSettings(DaemonSettings, { ...apiRequired, GLINT_IMPORT_ALLOWED_NETWORKS: ' ' }),
  ).not.toThrow();
});

test('checkSetting names the setting a failed check is about', () => {
  expect(() =>
    checkSetting('GLINT_X', () => {
      throw new Error('"a" is no network');
    }),
  ).toThrow(new ConfigError('GLINT_X: "a" is no network'));
  expect(checkSetting('GLINT_X', () => 3)).toBe(3);
});
