import type { JobQueues } from '../queues';

/** A dependency a process needs to do its work; resolves when it answers, throws when not. */
export type ReadinessProbe = () => Promise<void>;

export interface Readiness {
  ready: boolean;
  /** Each dependency: `ok`, or what failed. */
  checks: Record<string, string>;
}

/**
 * Runs every probe at once, each bounded by `timeoutMs`: a client that queues commands while it
 * reconnects (ioredis) would otherwise keep the answer waiting until the service is back.
 */
export async function checkReadiness(
  probes: Record<string, ReadinessProbe>,
  timeoutMs = 2000,
): Promise<Readiness> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([probe(), late]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return {
    ready: entries.every(([, result]) => result === 'ok'),
    checks: Object.fromEntries(entries),
  };
}

/** A Redis (or BullMQ) connection answers PING. */
export function redisProbe(redis: { ping(): Promise<string> }): ReadinessProbe {
  return async () => {
    await redis.ping();
  };
}

/** A database (a pg pool) answers a query. */
export function queryProbe(db: { query(text: string): Promise<unknown> }): ReadinessProbe {
  return async () => {
    await db.query('SELECT 1');
  };
}

/** The queues answer through BullMQ's own connection. */
export function queueProbe(queues: JobQueues): ReadinessProbe {
  return async () => {
    await queues.queue('copy').getJobCounts('waiting');
  };
}
