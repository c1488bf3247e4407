import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { eventStream } from '../../../test-support/event-stream';
import {
  refreshAll,
  startInventoryWorker,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import {
  addSandboxSites,
  keystoneToken,
  login,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

let env: TestEnvironment;
let server: FastifyInstance;
let base: string;
let worker: RunningWorker;
const users: Record<'a' | 'b', { session: Session; siteId: string }> = {} as never;

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  for (const [key, name] of [
    ['a', 'demo'],
    ['b', 'admin'],
  ] as const) {
    const session = await login(server, name);
    const { site } = await addSandboxSites(server, session, { site: 1 });
    users[key] = { session, siteId: site };
  }
  worker = await startInventoryWorker(env);
});

afterAll(async () => {
  await worker?.close();
  await env?.close();
});

const stream = (session: Session) => eventStream(base, session);

const importOnto = async (user: (typeof users)['a']) => {
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/images/import',
    headers: user.session.headers,
    payload: { url: 'https://8.8.8.8/x.raw', name: 'x', diskFormat: 'raw', sites: [user.siteId] },
  });
  expect(response.statusCode).toBe(202);
  return response.json<{ jobId: string }>().jobId;
};

test("each user hears their own job and cell changes, and never another user's", async () => {
  const a = await stream(users.a.session);
  const b = await stream(users.b.session);
  await a.until(': connected');
  await b.until(': connected');

  const jobOfA = await importOnto(users.a);
  await a.until(jobOfA);
  expect(a.text()).toContain('event: job\n');
  await refreshAll(server, users.a.session);
  await a.until('event: cells');
  expect(a.text()).toContain(users.a.siteId);

  const jobOfB = await importOnto(users.b);
  await b.until(jobOfB);
  expect(b.text()).not.toContain(jobOfA);
  expect(b.text()).not.toContain(users.a.siteId);
  expect(b.text()).not.toContain('event: cells');
  expect(a.text()).not.toContain(jobOfB);
  await Promise.all([a.close(), b.close()]);
});

test('the stream needs a caller', async () => {
  const response = await fetch(`${base}/api/v1/events`);
  expect(response.status).toBe(401);
});

test('a dashboard embedding the panel may read the stream across origins', async () => {
  const origin = 'http://dashboard.example.org';
  const embedded = await env.start({ GLINT_CORS_ORIGINS: origin });
  await embedded.listen({ host: '127.0.0.1', port: 0 });
  const { port } = embedded.server.address() as AddressInfo;
  const reading = new AbortController();
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
    headers: { origin, 'x-auth-token': await keystoneToken() },
    signal: reading.signal,
  });
  reading.abort();
  expect(response.status).toBe(200);
  // Without it the browser hides the stream from the panel, which then never hears of a change.
  expect(response.headers.get('access-control-allow-origin')).toBe(origin);
});
