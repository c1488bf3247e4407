import {
  JobQueues,
  QUEUES,
  queuePrefix,
  redisEventPublisher,
  queryProbe,
  queueProbe,
  redisProbe,
  redisPersistenceWarnings,
  subscriberConnection,
} from '@glint/core';
import { checkSchemaCurrent, CredentialVault, repositoriesOn } from '@glint/store';
import { QueueEvents, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import type { DaemonConfig } from './config';
import { scheduleInventories } from './inventory-schedule';
import { JobControl } from './job-control';
import { observeJobs } from './job-telemetry';
import type { Logger } from './logger';
import type { DaemonMetrics } from './metrics';
import { startOpsServer, type OpsServer } from './ops-server';
import { scheduleRecovery } from './queue-recovery';
import { releaseWorker, scheduleReleases, stepReleasesOnProgress } from './releases/release-worker';
import { SiteAdapters } from './site-adapter';
import { SiteSlots } from './site-slots';
import { deleteWorker } from './workers/delete';
import { inventoryWorker } from './workers/inventory';
import { reconcileWorker } from './workers/reconcile';
import { transferWorker } from './workers/transfer';
import type { WorkerOptions } from './workers/worker-options';

type Log = (message: string, error?: unknown) => void;

export interface RunningDaemon {
  workers: Worker[];
  /** Its /metrics, /healthz and /readyz, when GLINT_DAEMON_METRICS_PORT asked for them. */
  ops?: OpsServer;
  /** What the operator should hear of: Redis settings that lose data on a restart. */
  warnings: string[];
  /**
   * Stops taking jobs and waits for the running ones, up to the grace period. Transfers still
   * running then are stopped, their half-made copies removed, and handed back to the queue, where
   * another daemon takes them up at once. Returns whether every running job finished by itself.
   */
  stop(): Promise<boolean>;
}

/** What every worker runs on: one database pool, connections for commands and for subscribing. */
export interface WorkerResources {
  options: WorkerOptions;
  /** Commands outside BullMQ: events, site slots, cancel requests. */
  redis: Redis;
  /** What /readyz checks: the database and its schema, Redis, and the queue's connection. */
  probes: Record<string, () => Promise<void>>;
  close(): Promise<void>;
}

export function workerResources(
  config: Pick<
    DaemonConfig,
    | 'databaseUrl'
    | 'redis'
    | 'credentialKeys'
    | 'name'
    | 'lockMs'
    | 'jobAttempts'
    | 'outbound'
    | 'conversionDir'
  >,
  log: Log,
  metrics?: DaemonMetrics,
): WorkerResources {
  const pool = new Pool({ connectionString: config.databaseUrl });
  // A dropped idle connection is replaced on the next query; it must not end the process.
  pool.on('error', (error) => log('PostgreSQL connection lost', error));
  const redisOptions = { maxRetriesPerRequest: null };
  const redis = new Redis(config.redis.url, redisOptions);
  // Subscribed to the cancel channel by JobControl.
  const subscriber = subscriberConnection(config.redis.url, redisOptions);
  const queueConnection = new Redis(config.redis.url, redisOptions);
  for (const connection of [redis, subscriber, queueConnection])
    connection.on('error', (error) => log('Redis connection failed', error));
  const prefix = queuePrefix(config.redis.keyPrefix);
  const queues = new JobQueues(queueConnection, prefix, config.jobAttempts, (error) =>
    log('queue connection failed', error),
  );
  const adapters = new SiteAdapters(
    repositoriesOn(pool),
    new CredentialVault(config.credentialKeys),
    {
      outbound: config.outbound,
      ...(config.conversionDir && { conversionDir: config.conversionDir }),
    },
  );
  const control = new JobControl(redis, subscriber, config.redis.keyPrefix);
  return {
    options: {
      bullmq: {
        connection: { url: config.redis.url, maxRetriesPerRequest: null },
        prefix,
        name: config.name,
        lockDuration: config.lockMs,
        stalledInterval: config.lockMs,
        // A job whose daemon died is taken up again, a few times, before it is given up on.
        maxStalledCount: 3,
      },
      pool,
      adapters,
      publish: redisEventPublisher(redis, config.redis.keyPrefix),
      queues,
      control,
      ...(metrics && { metrics }),
    },
    redis,
    probes: {
      postgres: queryProbe(pool),
      migrations: () => checkSchemaCurrent(pool),
      redis: redisProbe(redis),
      queue: queueProbe(queues),
    },
    async close() {
      await adapters.close();
      await queues.close();
      await pool.end();
      for (const connection of [redis, subscriber, queueConnection]) connection.disconnect();
    },
  };
}

/**
 * Fails the rows of jobs the queue gave up on without a worker saying why: a job whose daemons
 * died more often than the stalled-job limit allows. Every daemon hears it; the update is the same.
 */
function watchAbandonedJobs(options: WorkerOptions, log: Log): QueueEvents[] {
  const jobs = repositoriesOn(options.pool).jobs;
  return [QUEUES.transfer, QUEUES.delete].map((queue) => {
    const events = new QueueEvents(queue, {
      connection: options.bullmq.connection,
      prefix: options.bullmq.prefix,
    });
    events.on('failed', ({ jobId, failedReason }) => {
      jobs.failOpen(jobId, failedReason).catch((error: unknown) => log('job record failed', error));
    });
    events.on('error', (error) => log(`events of ${queue} failed`, error));
    return events;
  });
}

/**
 * The transfer worker on shared resources: at most `concurrency` transfers here, and at most
 * `siteTransferLimit` per site across every daemon on the same Redis.
 */
export function transferWorkerOn(
  resources: WorkerResources,
  config: Pick<
    DaemonConfig,
    'concurrency' | 'siteTransferLimit' | 'transferBandwidthLimit' | 'lockMs' | 'redis' | 'outbound'
  >,
): Worker {
  const { options } = resources;
  return transferWorker({
    ...options,
    bullmq: { ...options.bullmq, concurrency: config.concurrency },
    slots: new SiteSlots(
      resources.redis,
      config.redis.keyPrefix,
      config.siteTransferLimit,
      config.lockMs,
    ),
    outbound: config.outbound,
    ...(config.transferBandwidthLimit && { bandwidthLimit: config.transferBandwidthLimit }),
  });
}

/** Every worker of the daemon, on shared resources, the inventory schedule and the queue recovery check. */
export async function startDaemon(
  config: DaemonConfig,
  log: Log,
  /** Where lines about each job go (main's JSON log); none when absent. */
  logger?: Logger,
): Promise<RunningDaemon> {
  // prom-client loads only for a daemon that serves metrics.
  const metrics =
    config.metrics && new (require('./metrics') as typeof import('./metrics')).DaemonMetrics();
  const resources = workerResources(config, log, metrics);
  const { options } = resources;
  const copies = transferWorkerOn(resources, config);
  const releases = releaseWorker(options, config.releaseIntervalMs);
  const workers: Worker[] = [
    inventoryWorker(options),
    reconcileWorker(options),
    copies,
    deleteWorker(options),
    releases,
  ];
  stepReleasesOnProgress(copies, releases, options.pool, options.queues, log);
  for (const worker of workers) {
    worker.on('error', (error) => log(`worker ${worker.name} failed`, error));
    observeJobs(worker, logger, metrics);
  }
  const watchers = watchAbandonedJobs(options, log);
  await Promise.all([
    ...workers.map((worker) => worker.waitUntilReady()),
    ...watchers.map((watcher) => watcher.waitUntilReady()),
  ]);
  const ops =
    config.metrics &&
    (await startOpsServer({
      ...config.metrics,
      registry: metrics!.registry,
      probes: resources.probes,
    }));
  const stopSchedule = scheduleInventories(
    options.pool,
    options.queues,
    config.inventoryIntervalMs,
    log,
  );
  const stopReleases = scheduleReleases(
    options.pool,
    options.queues,
    config.releaseIntervalMs,
    log,
  );
  const stopRecovery = scheduleRecovery(options, config.queueRecoveryMs, log);
  return {
    workers,
    ...(ops && { ops }),
    warnings: await redisPersistenceWarnings(resources.redis),
    async stop() {
      stopSchedule();
      stopReleases();
      const closed = Promise.all(workers.map((worker) => worker.close()));
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), config.graceMs);
      });
      const finished = await Promise.race([closed.then(() => true), graceOver]);
      clearTimeout(timer);
      if (!finished) {
        options.control.handBackAll();
        await closed;
      }
      await stopRecovery();
      await Promise.all(watchers.map((watcher) => watcher.close()));
      await ops?.close();
      metrics?.close();
      await resources.close();
      return finished;
    },
  };
}
