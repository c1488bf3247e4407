import { cancelChannel, cancelRequestKey, requestCancel } from '@glint/core';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Why a running job was stopped before its end. */
export type StopReason = 'cancelled' | 'handed-back';

/** A job registered as running here; its signal aborts, with a StopReason, when it must stop. */
export interface RunningJob {
  signal: AbortSignal;
  done(): void;
}

/**
 * The jobs this daemon is running, which its recovery check vouches for, and the two ways a
 * transfer stops early: its owner cancels it (announced on the cancel channel, and kept as a
 * request a later start also sees), or the daemon shuts down and hands it back to the queue.
 */
export class JobControl {
  private readonly running = new Map<string, AbortController>();

  constructor(
    /** A connection without ioredis's keyPrefix, for commands. */
    private readonly redis: Redis,
    /** A connection of its own, which this subscribes on. */
    subscriber: Redis,
    private readonly keyPrefix: string,
  ) {
    subscriber.on('message', (_channel: string, queueJobId: string) =>
      this.running.get(queueJobId)?.abort('cancelled' satisfies StopReason),
    );
    // Subscribing again after a reconnect is ioredis's (autoResubscribe).
    void subscriber.subscribe(cancelChannel(keyPrefix)).catch(() => undefined);
  }

  async start(queueJobId: string): Promise<RunningJob> {
    const controller = new AbortController();
    this.running.set(queueJobId, controller);
    if (await this.cancelRequested(queueJobId)) controller.abort('cancelled' satisfies StopReason);
    return { signal: controller.signal, done: () => this.running.delete(queueJobId) };
  }

  /** Whether the job's owner asked to cancel it (within the request's lifetime). */
  async cancelRequested(queueJobId: string): Promise<boolean> {
    return (await this.redis.exists(`${this.keyPrefix}${cancelRequestKey(queueJobId)}`)) === 1;
  }

  /**
   * Asks for the jobs to stop wherever they run, as their owner's cancel does (the daemon's own
   * halt of a rollout); returns those taken off the queue, see requestCancel.
   */
  requestCancel(queue: Queue, queueJobIds: string[], requestedBy: string): Promise<string[]> {
    return requestCancel(this.redis, this.keyPrefix, queue, queueJobIds, requestedBy);
  }

  /** The queue jobs running here now. */
  ids(): string[] {
    return [...this.running.keys()];
  }

  /** Stops every running job so that it goes back on the queue for another daemon. */
  handBackAll(): void {
    for (const controller of this.running.values())
      controller.abort('handed-back' satisfies StopReason);
  }
}
