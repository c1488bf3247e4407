/**
 * A transaction whose connection is lost between two of its queries (PostgreSQL restarting while
 * the work awaits something else, such as Redis): the transaction fails, the process goes on, and
 * the pool hands out working connections again.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { startCuttableProxy, type CuttableProxy } from '../../../test-support/cuttable-proxy';
import { withTransaction } from '../src';

let proxy: CuttableProxy;
let pool: Pool;

beforeAll(async () => {
  proxy = await startCuttableProxy({ host: '127.0.0.1', port: 5432 });
  pool = new Pool({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/postgres` });
  pool.on('error', () => undefined);
});

afterAll(async () => {
  await pool?.end();
  await proxy?.close();
});

test('a connection lost between two queries of a transaction fails it, and ends nothing else', async () => {
  const marker = randomBytes(4).toString('hex');
  const outcome = withTransaction(pool, async () => {
    proxy.cut(300);
    // Waiting on something else while the connection is gone: no query of this client runs.
    await new Promise((resolve) => setTimeout(resolve, 150));
    return marker;
  });
  await expect(outcome).rejects.toThrow();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
});
