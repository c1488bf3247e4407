import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  checkSetting,
  DaemonSettings,
  loadSettings,
  OutboundPolicy,
  parseByteRate,
} from '@glint/core';
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
  /**
   * Bytes per second each transfer may read from its source, so a daemon never fills a site's
   * uplink (GLINT_TRANSFER_BANDWIDTH_LIMIT); no cap when absent.
   */
  transferBandwidthLimit?: number;
  /** How often each site's inventory is taken (GLINT_INVENTORY_INTERVAL_SECONDS). */
  inventoryIntervalMs: number;
  /** How often each release family takes its next step. */
  releaseIntervalMs: number;
  /**
   * How long a job's lock (and a site slot) outlives a daemon that stopped renewing it: after a
   * crash, another daemon takes the job up within about twice this (GLINT_DAEMON_LOCK_SECONDS).
   */
  lockMs: number;
  /** How long running jobs may take to finish after SIGTERM (GLINT_DAEMON_GRACE_SECONDS). */
  graceMs: number;
  /**
   * The longest a queued or running job stays stranded when Redis lost it: the daemons check the
   * jobs table against the queue often enough to put it back within this (GLINT_QUEUE_RECOVERY_SECONDS).
   */
  queueRecoveryMs: number;
  /** Attempts of the jobs the daemon enqueues itself, as the API's (GLINT_JOB_ATTEMPTS). */
  jobAttempts: number;
  /** How much it logs (GLINT_LOG_LEVEL). */
  logLevel: string;
  /**
   * Where its /metrics, /healthz and /readyz listen (GLINT_DAEMON_METRICS_HOST and _PORT), and the
   * token /metrics asks for (GLINT_METRICS_TOKEN); absent: none, and no metrics are kept.
   */
  metrics?: { host: string; port: number; token?: string };
  /** Where the daemon may connect for the sites' owners (sites, imports): GLINT_OUTBOUND_ALLOW. */
  outbound: OutboundPolicy;
  /**
   * Where images are staged while their format is converted, the one case an image touches the
   * daemon's disk (GLINT_CONVERSION_DIR); the OS's temporary directory when absent.
   */
  conversionDir?: string;
}

/** The conversion directory, which must exist: Glint makes its own private directories in it. */
function existingDirectory(path: string): string {
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`${path} is not an existing directory; create it, or unset the setting`);
  return path;
}

/** Reads and checks the settings; throws a ConfigError (of @glint/core) naming every one at fault. */
export function loadDaemonConfig(environment: Record<string, string | undefined>): DaemonConfig {
  const env = loadSettings(DaemonSettings, environment);
  return {
    databaseUrl: env.GLINT_DATABASE_URL,
    redis: { url: env.GLINT_REDIS_URL, keyPrefix: env.GLINT_REDIS_PREFIX },
    credentialKeys: checkSetting('GLINT_CREDENTIAL_KEYS', () =>
      parseKeyring(env.GLINT_CREDENTIAL_KEYS, env.GLINT_CREDENTIAL_KEY_ID),
    ),
    name: env.GLINT_DAEMON_NAME ?? `${hostname()}:${process.pid}`,
    concurrency: env.GLINT_DAEMON_CONCURRENCY,
    siteTransferLimit: env.GLINT_SITE_TRANSFER_LIMIT,
    ...(env.GLINT_TRANSFER_BANDWIDTH_LIMIT && {
      transferBandwidthLimit: checkSetting('GLINT_TRANSFER_BANDWIDTH_LIMIT', () =>
        parseByteRate(env.GLINT_TRANSFER_BANDWIDTH_LIMIT!),
      ),
    }),
    inventoryIntervalMs: env.GLINT_INVENTORY_INTERVAL_SECONDS * 1000,
    releaseIntervalMs: env.GLINT_RELEASE_INTERVAL_SECONDS * 1000,
    lockMs: env.GLINT_DAEMON_LOCK_SECONDS * 1000,
    graceMs: env.GLINT_DAEMON_GRACE_SECONDS * 1000,
    queueRecoveryMs: env.GLINT_QUEUE_RECOVERY_SECONDS * 1000,
    jobAttempts: env.GLINT_JOB_ATTEMPTS,
    outbound: OutboundPolicy.fromSetting(env.GLINT_OUTBOUND_ALLOW),
    ...(env.GLINT_CONVERSION_DIR && {
      conversionDir: checkSetting('GLINT_CONVERSION_DIR', () =>
        existingDirectory(env.GLINT_CONVERSION_DIR!),
      ),
    }),
    logLevel: env.GLINT_LOG_LEVEL,
    ...(env.GLINT_DAEMON_METRICS_PORT !== undefined && {
      metrics: {
        host: env.GLINT_DAEMON_METRICS_HOST,
        port: env.GLINT_DAEMON_METRICS_PORT,
        ...(env.GLINT_METRICS_TOKEN && { token: env.GLINT_METRICS_TOKEN }),
      },
    }),
  };
}
