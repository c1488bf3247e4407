import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { ConfigError } from '@glint/core';
import { loadDaemonConfig } from '../src/config';

const complete = {
  GLINT_CREDENTIAL_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  GLINT_CREDENTIAL_KEY_ID: 'k1',
};

test('the API’s defaults apply to the shared settings, and the daemon’s own have theirs', () => {
  const config = loadDaemonConfig(complete);
  expect(config).toMatchObject({
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/glint',
    redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'glint:' },
    concurrency: 4,
    siteTransferLimit: 2,
    inventoryIntervalMs: 300_000,
    lockMs: 30_000,
    graceMs: 60_000,
    queueRecoveryMs: 60_000,
  });
  expect(config.name).toBe(`${hostname()}:${process.pid}`);
  expect(config.credentialKeys.currentKeyId).toBe('k1');
  // No bandwidth cap unless the operator sets one; blank counts as unset.
  expect(config.transferBandwidthLimit).toBeUndefined();
  expect(
    loadDaemonConfig({ ...complete, GLINT_TRANSFER_BANDWIDTH_LIMIT: ' ' }).transferBandwidthLimit,
  ).toBeUndefined();
});

test('GLINT_CONVERSION_DIR (issue 12 item 1): the operator’s existing directory, else none (the OS’s temporary directory)', () => {
  expect(loadDaemonConfig(complete).conversionDir).toBeUndefined();
  expect(loadDaemonConfig({ ...complete, GLINT_CONVERSION_DIR: tmpdir() }).conversionDir).toBe(
    tmpdir(),
  );
});

test.each([
  ['3000000', 3_000_000],
  [' 40MiB ', 40 * 1024 * 1024],
  ['800Mbit', 100_000_000],
])('GLINT_TRANSFER_BANDWIDTH_LIMIT=%s caps each transfer at %d bytes per second', (text, bytes) => {
  const config = loadDaemonConfig({ ...complete, GLINT_TRANSFER_BANDWIDTH_LIMIT: text });
  expect(config.transferBandwidthLimit).toBe(bytes);
});

test.each([
  [{ GLINT_CREDENTIAL_KEYS: undefined }, /^GLINT_CREDENTIAL_KEYS is not set$/],
  [{ GLINT_CREDENTIAL_KEY_ID: 'k2' }, /GLINT_CREDENTIAL_KEY_ID is "k2"/],
  [{ GLINT_CREDENTIAL_KEYS: 'k1:c2hvcnQ=' }, /GLINT_CREDENTIAL_KEYS: key "k1" is 5 bytes/],
  [{ GLINT_REDIS_URL: 'localhost:6379' }, /^GLINT_REDIS_URL is "localhost:6379"/],
  [{ GLINT_DATABASE_URL: 'mysql://x' }, /^GLINT_DATABASE_URL is "mysql:\/\/x", not a postgres/],
  [{ GLINT_DAEMON_CONCURRENCY: '0' }, /^GLINT_DAEMON_CONCURRENCY is "0", not a positive/],
  [{ GLINT_SITE_TRANSFER_LIMIT: '-1' }, /^GLINT_SITE_TRANSFER_LIMIT is "-1"/],
  [{ GLINT_INVENTORY_INTERVAL_SECONDS: '5m' }, /^GLINT_INVENTORY_INTERVAL_SECONDS is "5m"/],
  [{ GLINT_DAEMON_GRACE_SECONDS: 'soon' }, /^GLINT_DAEMON_GRACE_SECONDS is "soon"/],
  [{ GLINT_QUEUE_RECOVERY_SECONDS: '1' }, /^GLINT_QUEUE_RECOVERY_SECONDS is "1"/],
  [{ GLINT_OUTBOUND_ALLOW: '10.0.0.0/33' }, /^GLINT_OUTBOUND_ALLOW: "10\.0\.0\.0\/33" is not/],
  [
    { GLINT_IMPORT_ALLOWED_NETWORKS: '10.0.0.0/8' },
    /^GLINT_IMPORT_ALLOWED_NETWORKS is no longer read: GLINT_OUTBOUND_ALLOW replaced it/,
  ],
  [
    { GLINT_TRANSFER_BANDWIDTH_LIMIT: '100Mb' },
    /^GLINT_TRANSFER_BANDWIDTH_LIMIT is "100Mb", not bytes per second: .* \(e\.g\. 50MiB, 800Mbit\)$/,
  ],
  [
    { GLINT_TRANSFER_BANDWIDTH_LIMIT: '0' },
    /^GLINT_TRANSFER_BANDWIDTH_LIMIT: "0" is less than 1 byte per second; leave the setting unset/,
  ],
  [
    { GLINT_CONVERSION_DIR: '/nonexistent/glint' },
    /^GLINT_CONVERSION_DIR: \/nonexistent\/glint is not an existing directory; create it/,
  ],
])('a missing or malformed setting stops start-up naming it: %o', (change, message) => {
  const load = () => loadDaemonConfig({ ...complete, ...change });
  expect(load).toThrow(ConfigError);
  expect(load).toThrow(message);
});
