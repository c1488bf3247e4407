import type { BlockList } from 'node:net';
import { parseNetworks } from '@glint/core';
import { parseKeyring, type Keyring } from '@glint/store';

/** The daemon's settings; the ones it shares with the API have the API's names and defaults. */
export interface DaemonConfig {
  databaseUrl: string;
  redis: { url: string; keyPrefix: string };
  credentialKeys: Keyring;
  /** Jobs one daemon runs at once on each of its queues (GLINT_DAEMON_CONCURRENCY). */
  concurrency: number;
  /** How long running jobs may take to finish after SIGTERM (GLINT_DAEMON_GRACE_SECONDS). */
  graceMs: number;
  importAllowedNetworks: BlockList;
}

/** A setting missing or malformed; the message names it. */
export class DaemonConfigError extends Error {
  override readonly name = 'DaemonConfigError';
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback?: string): string {
  const value = env[name]?.trim() || fallback;
  if (value === undefined) throw new DaemonConfigError(`${name} is not set`);
  return value;
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const value = text(env, name, String(fallback));
  if (!/^[1-9]\d*$/.test(value))
    throw new DaemonConfigError(`${name} is "${value}", not a positive whole number`);
  return Number(value);
}

function checked<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = (error as Error).message;
    throw new DaemonConfigError(message.includes(name) ? message : `${name}: ${message}`);
  }
}

/** Reads and checks the settings; throws a DaemonConfigError naming the first one at fault. */
export function loadDaemonConfig(env: Env): DaemonConfig {
  const redisUrl = text(env, 'GLINT_REDIS_URL', 'redis://127.0.0.1:6379');
  if (!/^rediss?:\/\//.test(redisUrl))
    throw new DaemonConfigError(`GLINT_REDIS_URL is "${redisUrl}", not a redis:// URL`);
  const databaseUrl = text(env, 'GLINT_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/glint');
  if (!/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new DaemonConfigError('GLINT_DATABASE_URL is not a postgres:// URL');
  const keys = text(env, 'GLINT_CREDENTIAL_KEYS');
  const keyId = text(env, 'GLINT_CREDENTIAL_KEY_ID');
  const networks = env.GLINT_IMPORT_ALLOWED_NETWORKS ?? '';
  return {
    databaseUrl,
    redis: { url: redisUrl, keyPrefix: env.GLINT_REDIS_PREFIX ?? 'glint:' },
    credentialKeys: checked('GLINT_CREDENTIAL_KEYS', () => parseKeyring(keys, keyId)),
    concurrency: positiveInteger(env, 'GLINT_DAEMON_CONCURRENCY', 4),
    graceMs: positiveInteger(env, 'GLINT_DAEMON_GRACE_SECONDS', 60) * 1000,
    importAllowedNetworks: checked('GLINT_IMPORT_ALLOWED_NETWORKS', () =>
      parseNetworks(
        networks
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
    ),
  };
}
