/** The inventory schedule as several daemons run it at once, on real PostgreSQL and Redis. */
import { JobQueues, queuePrefix } from '@glint/core';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { withSites, type TestEnvironment } from '../../../test-support/test-environment';
import { enqueueDueInventories } from '../src';

let env: TestEnvironment;
let site: Record<'one' | 'two' | 'three', string>;
const pools: Pool[] = [];
let connection: Redis;
let queues: JobQueues;

beforeAll(async () => {
  ({ env, site } = await withSites({ one: 1, two: 2, three: 3 }));
  connection = new Redis(env.env().GLINT_REDIS_URL!, { maxRetriesPerRequest: null });
  queues = new JobQueues(connection, queuePrefix(env.redisPrefix));
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await queues?.close();
  connection?.disconnect();
  await env?.close();
});

/** A daemon's own database pool. */
function daemonPool(): Pool {
  const pool = new Pool({ connectionString: env.databaseUrl });
  pools.push(pool);
  return pool;
}

const queuedInventories = async () =>
  (await queues.queue('inventory').getJobs(['waiting', 'active', 'delayed']))
    .map((job) => job.id)
    .sort();

test('daemons ticking at once queue each due site once, and none again until its interval passed', async () => {
  const interval = 300_000;
  const counts = await Promise.all(
    [daemonPool(), daemonPool(), daemonPool()].map((pool) =>
      enqueueDueInventories(pool, queues, interval),
    ),
  );
  expect(counts.reduce((sum, n) => sum + n, 0)).toBe(3);
  expect(await queuedInventories()).toEqual(
    Object.values(site)
      .map((id) => `inventory-${id}`)
      .sort(),
  );
  const due = await env.query<{ seconds: number }>(
    'SELECT extract(epoch FROM inventory_due_at - now())::float8 AS seconds FROM sites',
  );
  for (const { seconds } of due) expect(seconds).toBeGreaterThan(290);

  expect(await enqueueDueInventories(daemonPool(), queues, interval)).toBe(0);

  // A site whose interval passed is due again; one already queued is not queued twice.
  await env.query('UPDATE sites SET inventory_due_at = now() WHERE id = $1', [site.two]);
  expect(await enqueueDueInventories(daemonPool(), queues, interval)).toBe(1);
  expect(await queuedInventories()).toHaveLength(3);
});
