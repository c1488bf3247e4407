/**
 * The API's operator endpoints: /healthz, /readyz (which turns unready while PostgreSQL or Redis is
 * cut, or the schema is behind, and ready again after), and /metrics, closed but to its token and
 * its allowed networks.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { startCuttableProxy, type CuttableProxy } from '../../../test-support/cuttable-proxy';
import { expectUnreadyWhileCut, type ReadyzReply } from '../../../test-support/readiness';
import { latestMigration } from '@glint/store';
import { testEnvironment, type TestEnvironment } from '../../../test-support/test-environment';

const token = randomBytes(24).toString('hex');
let env: TestEnvironment;
let server: FastifyInstance;
let pgProxy: CuttableProxy;
let redisProxy: CuttableProxy;

beforeAll(async () => {
  env = await testEnvironment();
  pgProxy = await startCuttableProxy({ host: '127.0.0.1', port: 5432 });
  redisProxy = await startCuttableProxy({ host: '127.0.0.1', port: 6379 });
  server = await env.start({
    GLINT_DATABASE_URL: env.databaseUrl.replace(':5432/', `:${pgProxy.port}/`),
    GLINT_REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
    GLINT_METRICS_TOKEN: token,
    GLINT_METRICS_ALLOWED_NETWORKS: '10.1.2.0/24',
  });
});

afterAll(async () => {
  await env?.close();
  await pgProxy?.close();
  await redisProxy?.close();
});

const readyz = async (): Promise<ReadyzReply> => {
  const response = await server.inject({ method: 'GET', url: '/readyz' });
  return { status: response.statusCode, body: response.json() };
};

test('/healthz answers while the process runs, with no login', async () => {
  const response = await server.inject({ method: 'GET', url: '/healthz' });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({ status: 'ok' });
  expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});

test('/readyz is ready when PostgreSQL, Redis and the queue answer and the schema is current', async () => {
  expect(await readyz()).toEqual({
    status: 200,
    body: { ready: true, checks: { postgres: 'ok', migrations: 'ok', redis: 'ok', queue: 'ok' } },
  });
});

test('/readyz turns unready while PostgreSQL is cut, and ready again after', () =>
  expectUnreadyWhileCut(pgProxy, readyz, ['postgres'], ['redis', 'queue']));

test('/readyz turns unready while Redis is cut, and ready again after', () =>
  expectUnreadyWhileCut(redisProxy, readyz, ['redis', 'queue'], ['postgres']));

test('/readyz is unready while the database lacks the latest migration', async () => {
  await env.query('DELETE FROM pgmigrations WHERE name = $1', [latestMigration()]);
  try {
    const behind = await readyz();
    expect(behind.status).toBe(503);
    expect(behind.body.checks.migrations).toContain(latestMigration());
  } finally {
    await env.query('INSERT INTO pgmigrations (name, run_on) VALUES ($1, now())', [
      latestMigration(),
    ]);
  }
  expect((await readyz()).status).toBe(200);
});

test('/metrics answers Prometheus with the token, in the text format', async () => {
  const response = await server.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = response.body;
  for (const series of [
    'glint_queue_jobs{queue="glint-transfer",state="waiting"} 0',
    'glint_queue_oldest_waiting_seconds{queue="glint-transfer"} 0',
    '# TYPE nodejs_eventloop_lag_seconds gauge',
    '# TYPE process_cpu_seconds_total counter',
    'glint_http_requests_total{method="GET",route="/readyz",status="200"}',
  ])
    expect(text).toContain(series);
});

test('/metrics is closed to anyone else: no token, a wrong one, or an allowed address behind a proxy', async () => {
  const refused = [
    {},
    { headers: { authorization: `Bearer ${token}x` } },
    { headers: { 'x-forwarded-for': '10.1.2.3' }, remoteAddress: '10.1.2.3' },
    { remoteAddress: '10.1.3.1' },
  ];
  for (const options of refused) {
    const response = await server.inject({ method: 'GET', url: '/metrics', ...options });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: 'metrics_token_required' });
    expect(response.body).not.toContain(token);
  }
  // A direct connection from the operator's network needs no token.
  const direct = await server.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
  expect(direct.statusCode).toBe(200);
  expect(direct.body).toContain('glint_queue_jobs');
});
