/**
 * A daemon's operator endpoints: /healthz, /readyz (unready while PostgreSQL or Redis is cut, ready
 * again after) and /metrics behind the token, on the port its settings give.
 */
import { randomBytes } from 'node:crypto';
import { testEnvironment, type TestEnvironment } from '../../../test-support/test-environment';
import { startCuttableProxy, type CuttableProxy } from '../../../test-support/cuttable-proxy';
import { expectUnreadyWhileCut, type ReadyzReply } from '../../../test-support/readiness';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../src';

const token = randomBytes(24).toString('hex');
let env: TestEnvironment;
let daemon: RunningDaemon;
let pgProxy: CuttableProxy;
let redisProxy: CuttableProxy;
let base: string;

beforeAll(async () => {
  env = await testEnvironment();
  pgProxy = await startCuttableProxy({ host: '127.0.0.1', port: 5432 });
  redisProxy = await startCuttableProxy({ host: '127.0.0.1', port: 6379 });
  daemon = await startDaemon(
    loadDaemonConfig(
      env.env({
        GLINT_DATABASE_URL: env.databaseUrl.replace(':5432/', `:${pgProxy.port}/`),
        GLINT_REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
        GLINT_DAEMON_METRICS_PORT: '0',
        GLINT_METRICS_TOKEN: token,
        GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
      }),
    ),
    () => {},
  );
  base = `http://127.0.0.1:${daemon.ops!.port}`;
});

afterAll(async () => {
  await daemon?.stop();
  await env?.close();
  await pgProxy?.close();
  await redisProxy?.close();
});

const readyz = async (): Promise<ReadyzReply> => {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as ReadyzReply['body'] };
};

test('/healthz answers, and /readyz is ready with every dependency up', async () => {
  expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
  expect(await readyz()).toEqual({
    status: 200,
    body: { ready: true, checks: { postgres: 'ok', migrations: 'ok', redis: 'ok', queue: 'ok' } },
  });
});

test('/readyz turns unready while PostgreSQL is cut, and ready again after', () =>
  expectUnreadyWhileCut(pgProxy, readyz, ['postgres'], ['redis', 'queue']));

test('/readyz turns unready while Redis is cut, and ready again after', () =>
  expectUnreadyWhileCut(redisProxy, readyz, ['redis', 'queue'], ['postgres']));

test('/metrics asks for the token when one is set, and other paths are 404s', async () => {
  const refused = await fetch(`${base}/metrics`);
  expect(refused.status).toBe(401);
  expect(await refused.json()).toMatchObject({ error: 'metrics_token_required' });
  const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(metrics.status).toBe(200);
  expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  expect(text).toContain('glint_jobs_total{kind="copy",state="succeeded"} 0');
  expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
});
