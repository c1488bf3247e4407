import type { Redis } from 'ioredis';

/**
 * What Glint asks of the Redis holding its queues: that it keep its data across a restart
 * (`appendonly yes`) and never evict a key to make room (`maxmemory-policy noeviction`). Without
 * them a restart, a failover to an empty replica or memory pressure loses queued jobs, progress,
 * locks and sessions. The daemons' recovery check puts lost jobs back from PostgreSQL within
 * GLINT_QUEUE_RECOVERY_SECONDS; progress and sessions are gone.
 */
const wanted = [
  {
    parameter: 'appendonly',
    value: 'yes',
    risk: (actual: string) =>
      `Redis runs with appendonly ${actual}, so a restart empties it: the progress of running jobs ` +
      "and every session are gone, and the queued jobs come back only through the daemons' " +
      'recovery check (within GLINT_QUEUE_RECOVERY_SECONDS).',
  },
  {
    parameter: 'maxmemory-policy',
    value: 'noeviction',
    risk: (actual: string) =>
      `Redis runs with maxmemory-policy ${actual}, so when memory runs short it drops keys: ` +
      'queued jobs, sessions, and the locks of running jobs (another daemon may then run the same ' +
      'job at once).',
  },
] as const;

/**
 * Reads Redis's persistence settings (CONFIG GET) and returns a warning for each one that is off,
 * saying what is at risk and what to set; one warning when they cannot be read (a managed Redis
 * may refuse CONFIG). No warnings: the data is kept.
 */
export async function redisPersistenceWarnings(redis: Redis): Promise<string[]> {
  const warnings: string[] = [];
  for (const { parameter, value, risk } of wanted) {
    let actual: string | undefined;
    try {
      actual = ((await redis.config('GET', parameter)) as string[])[1];
    } catch (error) {
      return [
        `Redis did not say whether it keeps its data (CONFIG GET ${parameter}: ${(error as Error).message}). ` +
          'Make sure it runs with appendonly yes and maxmemory-policy noeviction.',
      ];
    }
    if (actual !== value)
      warnings.push(
        `${risk(actual ?? 'unset')} Set ${parameter} ${value} (in redis.conf, or CONFIG SET ${parameter} ${value} then CONFIG REWRITE).`,
      );
  }
  return warnings;
}
