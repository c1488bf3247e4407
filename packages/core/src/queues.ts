/**
 * The producer side of the queue contract: Glint's BullMQ queues, and how jobs are put on them. The
 * API, the daemon (for the work it derives, such as self-healing) and automation all enqueue here.
 */
import type { ConnectionOptions, Queue } from 'bullmq';
import { JOBS, parseJobPayload, type JobKind, type JobPayload } from './jobs';

/** Attempts of a job whose errors may clear, unless GLINT_JOB_ATTEMPTS says otherwise. */
export const DEFAULT_JOB_ATTEMPTS = 5;

/**
 * Attempts of a job that fails with an error that may clear (a 5xx, a reset connection, a busy
 * 409), spaced by exponential backoff: the n-th retry waits 5 s × 2^(n-1), less up to half of it
 * at random (jitter 0.5), so jobs that failed together do not retry together. Workers fail
 * permanent errors at once.
 */
export function jobRetries(attempts = DEFAULT_JOB_ATTEMPTS) {
  return { attempts, backoff: { type: 'exponential', delay: 5000, jitter: 0.5 } };
}

/**
 * The BullMQ job options Glint enqueues a kind of job with, apart from its `jobId`: the retries
 * and how long Redis keeps it once finished. Programs that enqueue straight into Redis use them.
 */
export function jobOptions(kind: JobKind, attempts = DEFAULT_JOB_ATTEMPTS) {
  return { ...jobRetries(attempts), ...JOBS[kind].retention };
}

export interface QueuedJob<K extends JobKind> {
  /** Deterministic: BullMQ keeps one job per id, so enqueueing the same id again adds nothing. */
  id: string;
  payload: JobPayload<K>;
}

/** Glint's queues, as the queue contract names them. */
export class JobQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: ConnectionOptions,
    /** BullMQ's key prefix: queuePrefix() of Glint's Redis prefix. */
    private readonly prefix: string,
    private readonly attempts = DEFAULT_JOB_ATTEMPTS,
    /** Hears the queues' connection errors, which BullMQ would otherwise print to the console. */
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  /** Adds the jobs, each checked against its payload schema first; ids already queued are skipped by BullMQ. */
  async enqueue<K extends JobKind>(kind: K, jobs: QueuedJob<K>[]): Promise<void> {
    if (jobs.length === 0) return;
    const { name } = JOBS[kind];
    await this.queue(kind).addBulk(
      jobs.map((job) => ({
        name,
        data: parseJobPayload(kind, job.payload),
        opts: { jobId: job.id, ...jobOptions(kind, this.attempts) },
      })),
    );
  }

  /** The queue a kind of job goes on; kinds may share one (copies and imports both move bytes). */
  queue(kind: JobKind): Queue {
    const name = JOBS[kind].queue;
    let queue = this.queues.get(name);
    if (!queue) {
      // Loaded on first use: a process that only copies images (no queue) is spared BullMQ and
      // ioredis, about 20 MiB resident.
      const { Queue } = require('bullmq') as typeof import('bullmq');
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', this.onError);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
