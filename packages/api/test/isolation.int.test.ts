import type { FastifyInstance } from 'fastify';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  keystoneToken,
  login,
  siteBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from './test-environment';

let env: TestEnvironment;
let server: FastifyInstance;
let userA: Session;
let userB: Session;
let siteOfA: { id: string; name: string };

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
  // Two different Keystone users of the home cloud: demo is A, admin is B.
  userA = await login(server, 'demo');
  userB = await login(server, 'admin');
  const created = await server.inject({
    method: 'POST',
    url: '/api/v1/sites',
    headers: userA.headers,
    payload: siteBody('a-site', sandboxCloud(1), 'demo'),
  });
  expect(created.statusCode).toBe(201);
  siteOfA = created.json();
});

afterAll(async () => {
  await env?.close();
});

/** Every route of the API that names one site, from the OpenAPI document, so a new one is covered too. */
async function siteRoutes(): Promise<{ method: string; path: string }[]> {
  const document = (await server.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<string, object>;
  }>();
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/v1/sites/{id}'))
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })),
    );
}

/** A body the route would accept from the site's owner, so only ownership can make it fail. */
const plausibleBodies: Record<string, object | undefined> = {
  PATCH: { name: 'taken-over' },
  PUT: { name: 'taken-over' },
  POST: {},
};

test("user B gets 404 on every route of user A's site, and changes nothing", async () => {
  const routes = await siteRoutes();
  expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
    expect.arrayContaining([
      'GET /api/v1/sites/{id}',
      'PATCH /api/v1/sites/{id}',
      'DELETE /api/v1/sites/{id}',
      'GET /api/v1/sites/{id}/health',
    ]),
  );
  const before = await env.query(
    'SELECT s.*, c.ciphertext FROM sites s JOIN credentials c ON c.site_id = s.id',
  );
  for (const { method, path } of routes) {
    const response = await server.inject({
      method: method as 'GET',
      url: path.replace('{id}', siteOfA.id),
      headers: method === 'GET' ? { cookie: userB.cookie } : userB.headers,
      ...(plausibleBodies[method] ? { payload: plausibleBodies[method] } : {}),
    });
    expect({
      route: `${method} ${path}`,
      status: response.statusCode,
      error: response.json().error,
    }).toEqual({
      route: `${method} ${path}`,
      status: 404,
      error: 'site_not_found',
    });
    expect(response.body).not.toContain(siteOfA.name);
  }
  expect(
    await env.query('SELECT s.*, c.ciphertext FROM sites s JOIN credentials c ON c.site_id = s.id'),
  ).toEqual(before);
});

test("with a Keystone token too, user B cannot reach user A's site", async () => {
  const token = await keystoneToken('admin');
  const response = await server.inject({
    method: 'GET',
    url: `/api/v1/sites/${siteOfA.id}`,
    headers: { 'x-auth-token': token },
  });
  expect(response.statusCode).toBe(404);
});

test("user B's list leaves out user A's sites, and B may use the same names", async () => {
  const list = await server.inject({
    method: 'GET',
    url: '/api/v1/sites',
    headers: { cookie: userB.cookie },
  });
  expect(list.json().sites).toEqual([]);
  const created = await server.inject({
    method: 'POST',
    url: '/api/v1/sites',
    headers: userB.headers,
    payload: siteBody(siteOfA.name, sandboxCloud(1), 'admin'),
  });
  expect(created.statusCode).toBe(201);
  const listA = await server.inject({
    method: 'GET',
    url: '/api/v1/sites',
    headers: { cookie: userA.cookie },
  });
  expect(listA.json().sites.map((s: { id: string }) => s.id)).toEqual([siteOfA.id]);
});
