import { hostname } from 'node:os';
import type { BlockList } from 'node:net';
import { DEFAULT_JOB_ATTEMPTS, parseNetworks } from '@glint/core';
import { parseKeyring, type Keyring } from '@glint/store';

/** The daemon's settings; the ones it shares with the API have the API's names and defaults. */
export interface DaemonConfig {
  databaseUrl: string;
  redis: { url: string; keyPrefix: string };
  credentialKeys: Keyring;
  /** This daemon's name in BullMQ (a job's `processedBy`) and in logs (GLINT_DAEMON_NAME). */
  name: string;
  /** Transfers (copies and imports) one daemon runs at once (GLINT_DAEMON_CONCURRENCY). */
  concurrency: number;
  /**
   * Transfers one site takes part in at once, as source or destination, across every daemon
   * (GLINT_SITE_TRANSFER_LIMIT).
   */
  siteTransferLimit: number;
  /** How often each site's inventory is taken (GLINT_INVENTORY_INTERVAL_SECONDS). */
  inventoryIntervalMs: number;
  /**
   * How long a job's lock (and a site slot) outlives a daemon that stopped renewing it: after a
   * crash, another daemon takes the job up within about twice this (GLINT_DAEMON_LOCK_SECONDS).
   */
  lockMs: number;
  /** How long running jobs may take to finish after SIGTERM (GLINT_DAEMON_GRACE_SECONDS). */
  graceMs: number;
  /** Attempts of the jobs the daemon enqueues itself, as the API's (GLINT_JOB_ATTEMPTS). */
  jobAttempts: number;
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
    name: text(env, 'GLINT_DAEMON_NAME', `${hostname()}:${process.pid}`),
    concurrency: positiveInteger(env, 'GLINT_DAEMON_CONCURRENCY', 4),
    siteTransferLimit: positiveInteger(env, 'GLINT_SITE_TRANSFER_LIMIT', 2),
    inventoryIntervalMs: positiveInteger(env, 'GLINT_INVENTORY_INTERVAL_SECONDS', 300) * 1000,
    lockMs: positiveInteger(env, 'GLINT_DAEMON_LOCK_SECONDS', 30) * 1000,
    graceMs: positiveInteger(env, 'GLINT_DAEMON_GRACE_SECONDS', 60) * 1000,
    jobAttempts: positiveInteger(env, 'GLINT_JOB_ATTEMPTS', DEFAULT_JOB_ATTEMPTS),
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
