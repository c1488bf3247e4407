import type { Redis } from 'ioredis';

/**
 * What Glint asks of the Redis holding its queues: that it keep its data across a restart
 * (`appendonly yes`) and never evict a key to make room (`maxmemory-policy noeviction`). Without
 * them a restart, a failover to an empty replica or memory pressure loses queued jobs, progress
 * and sessions. The jobs themselves are recovered from PostgreSQL by the daemons' recovery check
 * within GLINT_QUEUE_RECOVERY_SECONDS; progress and sessions are not.
 */
const wanted = [
  {
    parameter: 'appendonly',
    value: 'yes',
    risk: 'a restart loses the queues, the progress of running jobs and every session',
  },
  {
    parameter: 'maxmemory-policy',
    value: 'noeviction',
    risk: 'Redis may evict queued jobs, job locks and sessions when it runs out of memory',
  },
] as const;

const recovered =
  'queued and running jobs are recovered from PostgreSQL within GLINT_QUEUE_RECOVERY_SECONDS, but their progress and the sessions are lost';

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
      const reply = (await redis.config('GET', parameter)) as string[];
      actual = reply[1];
    } catch (error) {
      return [
        `Redis did not say how it keeps its data (CONFIG GET ${parameter}: ${(error as Error).message}); ` +
          `make sure it runs with appendonly yes and maxmemory-policy noeviction, or ${recovered}`,
      ];
    }
    if (actual !== value)
      warnings.push(
        `Redis runs with ${parameter} ${actual ?? '(unknown)'}: ${risk}; ${recovered}. ` +
          `Set ${parameter} ${value} (redis.conf, or CONFIG SET ${parameter} ${value} then CONFIG REWRITE)`,
      );
  }
  return warnings;
}
