import type { FastifyInstance } from 'fastify';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  addSandboxSites,
  cookieHeader,
  keystoneToken,
  login,
  siteBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

let env: TestEnvironment;
let server: FastifyInstance;
let userA: Session;
let userB: Session;
let siteOfA: { id: string; name: string };

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
  // Two different Keystone users of the home cloud, each in a project of their own: demo is A (on
  // project demo), admin is B (on project admin). Glint's data belongs to projects.
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

/** Every route of the API under `prefix`, from the OpenAPI document, so a new one is covered too. */
async function routesUnder(prefix: string): Promise<{ method: string; path: string }[]> {
  const document = (await server.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<string, object>;
  }>();
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith(prefix))
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

/** Calls each route for object `id` as user B and expects a 404 `error` that does not show `secret`. */
async function expectNotFoundForB(
  routes: { method: string; path: string }[],
  id: string,
  error: string,
  secret: string,
  caller: Session = userB,
): Promise<void> {
  for (const { method, path } of routes) {
    const response = await server.inject({
      method: method as 'GET',
      url: path.replace('{id}', id),
      headers: method === 'GET' ? { cookie: caller.cookie } : caller.headers,
      ...(plausibleBodies[method] ? { payload: plausibleBodies[method] } : {}),
    });
    const route = `${method} ${path}`;
    expect({ route, status: response.statusCode, error: response.json().error }).toEqual({
      route,
      status: 404,
      error,
    });
    expect(response.body).not.toContain(secret);
  }
}

test("user B gets 404 on every route of user A's site, and changes nothing", async () => {
  const routes = await routesUnder('/api/v1/sites/{id}');
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
  await expectNotFoundForB(routes, siteOfA.id, 'site_not_found', siteOfA.name);
  expect(
    await env.query('SELECT s.*, c.ciphertext FROM sites s JOIN credentials c ON c.site_id = s.id'),
  ).toEqual(before);
});

test("user B gets 404 on every route of user A's EC2 account, and changes nothing", async () => {
  const routes = await routesUnder('/api/v1/accounts/{id}');
  expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
    'DELETE /api/v1/accounts/{id}',
    'GET /api/v1/accounts/{id}',
    'PATCH /api/v1/accounts/{id}',
  ]);
  // Stored directly: adding one through the API checks the keys live with AWS.
  const [account] = await env.query<{ id: string }>(
    `INSERT INTO accounts (owner_id, type, name, config)
     SELECT owner_id, 'ec2', 'a-secret-account', '{}' FROM sites WHERE id = $1 RETURNING id`,
    [siteOfA.id],
  );
  const before = await env.query('SELECT * FROM accounts');
  await expectNotFoundForB(routes, account!.id, 'account_not_found', 'a-secret-account');
  const listed = await server.inject({
    method: 'GET',
    url: '/api/v1/accounts',
    headers: { cookie: userB.cookie },
  });
  expect(listed.json()).toEqual({ accounts: [] });
  expect(await env.query('SELECT * FROM accounts')).toEqual(before);
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

test("user B gets 404 for user A's images on every desired-state route, and A's rows stay out of B's matrix", async () => {
  const [image] = await env.query<{ id: string }>(
    `INSERT INTO images (owner_id, name) SELECT owner_id, 'a-image' FROM sites WHERE id = $1 RETURNING id`,
    [siteOfA.id],
  );
  const before = await env.snapshot('placements', 'jobs', 'images');
  const changes = { changes: [{ image: image!.id, site: siteOfA.id, wanted: true }] };
  for (const [method, url] of [
    ['POST', '/api/v1/plan'],
    ['PUT', '/api/v1/placements'],
  ] as const) {
    const response = await server.inject({ method, url, headers: userB.headers, payload: changes });
    expect({ url, status: response.statusCode, error: response.json().error }).toEqual({
      url,
      status: 404,
      error: 'image_not_found',
    });
  }
  const details = await server.inject({
    method: 'GET',
    url: `/api/v1/images/${image!.id}`,
    headers: { cookie: userB.cookie },
  });
  expect({ status: details.statusCode, error: details.json().error }).toEqual({
    status: 404,
    error: 'image_not_found',
  });
  const ownDetails = await server.inject({
    method: 'GET',
    url: `/api/v1/images/${image!.id}`,
    headers: { cookie: userA.cookie },
  });
  expect(ownDetails.json()).toMatchObject({ id: image!.id, name: 'a-image' });
  const matrix = await server.inject({
    method: 'GET',
    url: '/api/v1/matrix',
    headers: { cookie: userB.cookie },
  });
  expect(matrix.json().rows).toEqual([]);
  expect(matrix.body).not.toContain(siteOfA.id);
  expect(await env.snapshot('placements', 'jobs', 'images')).toEqual(before);
});

test("user B gets 404 on every route of user A's job, and changes nothing", async () => {
  await env.query(
    `INSERT INTO jobs (owner_id, queue_job_id, operation, destination_site_id, state, error)
     SELECT owner_id, 'copy-of-a', 'copy', id, 'failed', 'a-secret-error' FROM sites WHERE id = $1`,
    [siteOfA.id],
  );
  const routes = await routesUnder('/api/v1/jobs/{id}');
  expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
    'GET /api/v1/jobs/{id}',
    'POST /api/v1/jobs/{id}/cancel',
    'POST /api/v1/jobs/{id}/retry',
  ]);
  const before = await env.snapshot('jobs');
  await expectNotFoundForB(routes, 'copy-of-a', 'job_not_found', 'a-secret-error');
  const list = await server.inject({
    method: 'GET',
    url: '/api/v1/jobs',
    headers: { cookie: userB.cookie },
  });
  expect(list.json().jobs).toEqual([]);
  expect(await env.snapshot('jobs')).toEqual(before);
});

test("user B can neither import nor upload onto user A's site", async () => {
  const before = await env.snapshot('jobs');
  const imported = await server.inject({
    method: 'POST',
    url: '/api/v1/images/import',
    headers: userB.headers,
    payload: { url: 'https://8.8.8.8/x.raw', name: 'x', diskFormat: 'raw', sites: [siteOfA.id] },
  });
  const uploaded = await server.inject({
    method: 'POST',
    url: `/api/v1/images/upload?site=${siteOfA.id}&name=x&diskFormat=raw`,
    headers: { ...userB.headers, 'content-type': 'application/octet-stream' },
    payload: Buffer.from('image data'),
  });
  for (const response of [imported, uploaded]) {
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toBe('site_not_found');
  }
  expect(await env.snapshot('jobs')).toEqual(before);
});

test("user B gets 404 on every route of user A's rule; B's own rule of that name touches none of A's", async () => {
  const rule = {
    images: { names: ['*'] },
    sites: { ids: [siteOfA.id] },
    prune: true,
  };
  const saved = await server.inject({
    method: 'PUT',
    url: '/api/v1/rules/a-rule',
    headers: userA.headers,
    payload: { ...rule, description: 'a-secret-rule' },
  });
  expect(saved.statusCode).toBe(200);
  const routes = (await routesUnder('/api/v1/rules/{name}')).map(({ method, path }) => ({
    method,
    path: path.replace('{name}', '{id}'),
  }));
  expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
    'DELETE /api/v1/rules/{id}',
    'GET /api/v1/rules/{id}',
    'GET /api/v1/rules/{id}/removal-plan',
    'POST /api/v1/rules/{id}/preview',
    'PUT /api/v1/rules/{id}',
  ]);
  const before = await env.snapshot('rules', 'placements');
  // Reads and removals do not find it; a preview or a save is of B's own project, by that name.
  const byName = routes.filter((r) => r.method === 'GET' || r.method === 'DELETE');
  await expectNotFoundForB(byName, 'a-rule', 'rule_not_found', 'a-secret-rule');
  expect(await env.snapshot('rules', 'placements')).toEqual(before);
  const preview = await server.inject({
    method: 'POST',
    url: '/api/v1/rules/a-rule/preview',
    headers: userB.headers,
    payload: rule,
  });
  expect(preview.json()).toEqual({ copies: [], deletes: [] });
  const own = await server.inject({
    method: 'PUT',
    url: '/api/v1/rules/a-rule',
    headers: userB.headers,
    payload: rule,
  });
  expect(own.json()).toMatchObject({ created: true, plan: { copies: [], deletes: [] } });
  expect(own.body).not.toContain('a-secret-rule');
  const rows = await env.query<{ owner_id: string; description: string }>(
    'SELECT owner_id, description FROM rules ORDER BY description',
  );
  expect(rows.map((row) => row.description)).toEqual(['', 'a-secret-rule']);
  expect(new Set(rows.map((row) => row.owner_id)).size).toBe(2);
  // A's site, named in B's rule, is not B's: B's rule places nothing on it.
  expect(await env.snapshot('placements')).toEqual({ placements: before.placements });
  const listed = await server.inject({
    method: 'GET',
    url: '/api/v1/rules',
    headers: { cookie: userA.cookie },
  });
  expect(listed.json().rules).toEqual([expect.objectContaining({ description: 'a-secret-rule' })]);
});

describe('admin routes', () => {
  test('every one refuses a user without an admin role', async () => {
    const routes = await routesUnder('/api/v1/admin/');
    expect(routes.length).toBeGreaterThanOrEqual(3);
    for (const { method, path } of routes) {
      const response = await server.inject({
        method: method as 'GET',
        url: path,
        headers: { cookie: userA.cookie },
      });
      expect({ path, status: response.statusCode, error: response.json().error }).toEqual({
        path,
        status: 403,
        error: 'admin_required',
      });
    }
  });

  test("a Keystone admin lists every user's sites, images and jobs, secrets left out", async () => {
    const get = async (what: string) =>
      (
        await server.inject({
          method: 'GET',
          url: `/api/v1/admin/${what}`,
          headers: { cookie: userB.cookie },
        })
      ).json();
    const { sites } = await get('sites');
    expect(sites).toEqual(expect.arrayContaining([expect.objectContaining({ id: siteOfA.id })]));
    expect(JSON.stringify(sites)).not.toContain(sandboxCloud(1).users.demo.password);
    expect((await get('images')).images).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'a-image' })]),
    );
    expect((await get('jobs')).jobs).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'copy-of-a' })]),
    );
  });
});

describe('one user in two projects', () => {
  test("team-admin, logged in to team-b, gets 404 on every route of team-a's site and lists none of it", async () => {
    const inA = await login(server, 'team-admin', 'team-a');
    const inB = await login(server, 'team-admin', 'team-b');
    const { 'team-a-site': siteId } = await addSandboxSites(server, inA, { 'team-a-site': 1 });
    const before = await env.snapshot('sites', 'credentials');
    await expectNotFoundForB(
      await routesUnder('/api/v1/sites/{id}'),
      siteId,
      'site_not_found',
      'team-a-site',
      inB,
    );
    const listed = await server.inject({
      method: 'GET',
      url: '/api/v1/sites',
      headers: { cookie: inB.cookie },
    });
    expect(listed.json().sites).toEqual([]);
    expect(await env.snapshot('sites', 'credentials')).toEqual(before);
  });
});

describe('switching projects', () => {
  test("a cookie session switches to the user's other project: a new session, the other project's data", async () => {
    const inA = await login(server, 'team-admin', 'team-a');
    const { before: siteId } = await addSandboxSites(server, inA, { before: 1 });
    const listed = await server.inject({
      method: 'GET',
      url: '/api/v1/auth/projects',
      headers: { cookie: inA.cookie },
    });
    const projects = listed.json<{ projects: { id: string; name: string; current: boolean }[] }>()
      .projects;
    expect(projects.map(({ name, current }) => ({ name, current }))).toEqual([
      { name: 'team-a', current: true },
      { name: 'team-b', current: false },
    ]);
    const switched = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/project',
      headers: inA.headers,
      payload: { project: projects[1]!.id },
    });
    expect(switched.statusCode).toBe(200);
    expect(switched.json().user).toMatchObject({ project: { name: 'team-b' }, role: 'admin' });
    const inB = cookieHeader(switched);
    const site = await server.inject({
      method: 'GET',
      url: `/api/v1/sites/${siteId}`,
      headers: { cookie: inB },
    });
    expect(site.json().error).toBe('site_not_found');
    // The session scoped to team-a ended with the switch.
    const old = await server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: inA.cookie },
    });
    expect(old.statusCode).toBe(401);
  });

  test('a switch to a project the user holds no role on is refused, and the session stays', async () => {
    const session = await login(server, 'team-reader');
    const [other] = await env.query<{ id: string }>(
      "SELECT keystone_project_id AS id FROM projects WHERE name = 'admin'",
    );
    const refused = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/project',
      headers: session.headers,
      payload: { project: other!.id },
    });
    expect({ status: refused.statusCode, error: refused.json().error }).toEqual({
      status: 403,
      error: 'project_not_yours',
    });
    const me = await server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: session.cookie },
    });
    expect(me.json().project.name).toBe('team-a');
  });

  test('a project id or a login with half a surrogate pair is a 400, not a 502 from a Keystone that hung up (found by the fuzz test)', async () => {
    const session = await login(server, 'team-reader');
    const refused = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/project',
      headers: session.headers,
      payload: { project: 'x\udc00' },
    });
    expect({ status: refused.statusCode, error: refused.json().error }).toEqual({
      status: 400,
      error: 'invalid_text',
    });
    const loggingIn = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":"team-reader","password":"x\\ud800y","project":"team-a"}',
    });
    expect({ status: loggingIn.statusCode, error: loggingIn.json().error }).toEqual({
      status: 400,
      error: 'invalid_text',
    });
  });
});

describe('two users of one project', () => {
  let admin: Session;
  let reader: Session;
  let siteId: string;

  beforeAll(async () => {
    admin = await login(server, 'team-admin', 'team-a');
    // Here member counts as admin (test-environment.ts): the reader is the one with fewer rights.
    reader = await login(server, 'team-reader');
    ({ shared: siteId } = await addSandboxSites(server, admin, { shared: 2 }));
  });

  test("a reader sees the project's site another user added, and never its credential", async () => {
    const password = sandboxCloud(2).users.demo.password;
    for (const url of ['/api/v1/sites', `/api/v1/sites/${siteId}`, '/api/v1/matrix']) {
      const response = await server.inject({
        method: 'GET',
        url,
        headers: { cookie: reader.cookie },
      });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      expect(response.body).toContain(siteId);
      expect(response.body).not.toContain(password);
    }
  });

  test("a reader uses the site's credential (a live check) and cannot change it", async () => {
    const health = await server.inject({
      method: 'GET',
      url: `/api/v1/sites/${siteId}/health`,
      headers: { cookie: reader.cookie },
    });
    expect(health.json()).toMatchObject({ ok: true });
    const edit = await server.inject({
      method: 'PATCH',
      url: `/api/v1/sites/${siteId}`,
      headers: reader.headers,
      payload: { name: 'taken-over' },
    });
    expect({ status: edit.statusCode, error: edit.json().error }).toEqual({
      status: 403,
      error: 'role_required',
    });
  });

  test('the audit trail names the user who acted, in the project that owns the site', async () => {
    const [event] = await env.query<{ owner: string; actor: string }>(
      `SELECT p.keystone_project_id AS owner, u.name AS actor
       FROM audit_events a JOIN projects p ON p.id = a.owner_id JOIN users u ON u.id = a.actor_id
       WHERE a.action = 'site.created' AND a.target_id = $1`,
      [siteId],
    );
    const me = await server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: admin.cookie },
    });
    expect(event).toEqual({ owner: me.json().project.id, actor: 'team-admin' });
  });
});
