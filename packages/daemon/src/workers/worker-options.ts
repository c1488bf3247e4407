import type { JobQueues, PublishEvents } from '@glint/core';
import type { WorkerOptions as BullWorkerOptions } from 'bullmq';
import type { Pool } from 'pg';
import type { JobControl } from '../job-control';
import type { DaemonMetrics } from '../metrics';
import type { SiteAdapters } from '../site-adapter';

/** What every worker of a daemon runs on. */
export interface WorkerOptions {
  /**
   * BullMQ's settings shared by the daemon's workers: the connection, the key prefix the API
   * enqueues under, the daemon's name and its lock timing. Each worker sets its own concurrency.
   */
  bullmq: BullWorkerOptions;
  pool: Pool;
  /** The owners' sites, opened with their stored credentials. */
  adapters: SiteAdapters;
  /** Tells the project's clients their cells may have changed. */
  publish: PublishEvents;
  /** For the work a worker derives: reconciles after an inventory, copies that heal drift. */
  queues: JobQueues;
  /**
   * The copies, deletes and imports running here, registered for as long as their worker holds
   * them, and the cancel requests that stop transfers.
   */
  control: JobControl;
  /** Where the workers count what they do; absent when the daemon exports no metrics. */
  metrics?: DaemonMetrics;
}
