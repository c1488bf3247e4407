import type { FastifyInstance } from 'fastify';
import { projectRoles, routeRoles, type ProjectRole, type RouteRole } from '../src/roles';
import {
  keystoneToken,
  testEnvironment,
  type TestEnvironment,
} from '../../../test-support/test-environment';

let env: TestEnvironment;
let server: FastifyInstance;
/** Keystone tokens of the sandbox's team-a users, one per default role. */
const tokens = {} as Record<ProjectRole, string>;

beforeAll(async () => {
  env = await testEnvironment();
  // Keystone's default role names, as a deployment has them.
  server = await env.start({ GLINT_PROJECT_ADMIN_ROLES: 'admin' });
  for (const role of projectRoles) tokens[role] = await keystoneToken(`team-${role}`);
});

afterAll(async () => {
  await env?.close();
});

interface Operation {
  method: string;
  path: string;
  role: RouteRole;
  eventStream: boolean;
}

/** Every operation of the OpenAPI document, with the role it declares. */
async function operations(): Promise<Operation[]> {
  const document = (await server.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<string, Record<string, { 'x-glint-role': RouteRole; responses: object }>>;
  }>();
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      role: operation['x-glint-role'],
      eventStream: JSON.stringify(operation.responses).includes('text/event-stream'),
    })),
  );
}

test('every route declares its role in the OpenAPI document', async () => {
  const all = await operations();
  expect(all.filter((o) => o.path.startsWith('/api/v1/')).length).toBeGreaterThan(30);
  for (const { method, path, role } of all.filter((o) => o.path.startsWith('/api/v1/')))
    expect({ route: `${method} ${path}`, role: routeRoles.includes(role) }).toEqual({
      route: `${method} ${path}`,
      role: true,
    });
  const declared = (method: string, path: string) =>
    all.find((o) => o.method === method && o.path.replace(/\/$/, '') === path)?.role;
  expect({
    matrix: declared('GET', '/api/v1/matrix'),
    place: declared('PUT', '/api/v1/placements'),
    upload: declared('POST', '/api/v1/images/upload'),
    cancel: declared('POST', '/api/v1/jobs/{id}/cancel'),
    addSite: declared('POST', '/api/v1/sites'),
    editSite: declared('PATCH', '/api/v1/sites/{id}'),
    removeAccount: declared('DELETE', '/api/v1/accounts/{id}'),
    readRules: declared('GET', '/api/v1/rules'),
    previewRule: declared('POST', '/api/v1/rules/{name}/preview'),
    saveRule: declared('PUT', '/api/v1/rules/{name}'),
    removeRule: declared('DELETE', '/api/v1/rules/{name}'),
    readReleases: declared('GET', '/api/v1/releases/{family}'),
    makeFamily: declared('POST', '/api/v1/releases'),
    publish: declared('POST', '/api/v1/releases/{family}/versions'),
    rollback: declared('POST', '/api/v1/releases/{family}/rollback'),
    planRollback: declared('POST', '/api/v1/releases/{family}/rollback/plan'),
    everyProject: declared('GET', '/api/v1/admin/sites'),
    login: declared('POST', '/api/v1/auth/login'),
  }).toEqual({
    matrix: 'reader',
    place: 'member',
    upload: 'member',
    cancel: 'member',
    addSite: 'admin',
    editSite: 'admin',
    removeAccount: 'admin',
    readRules: 'reader',
    previewRule: 'reader',
    saveRule: 'admin',
    removeRule: 'admin',
    readReleases: 'reader',
    makeFamily: 'admin',
    publish: 'member',
    rollback: 'member',
    // A plan changes nothing: readers may see it, as they see placements' and rules' plans.
    planRollback: 'reader',
    everyProject: 'glint-admin',
    login: 'public',
  });
});

/** What a caller holding `held` may call. */
function allowed(held: ProjectRole, needed: RouteRole): boolean {
  if (needed === 'glint-admin') return false;
  if (!(projectRoles as readonly string[]).includes(needed)) return true;
  return projectRoles.indexOf(held) >= projectRoles.indexOf(needed as ProjectRole);
}

test.each(projectRoles)(
  'a project %s gets 403 on every route above its role, and nothing changes',
  async (held) => {
    const tables = [
      'sites',
      'credentials',
      'placements',
      'jobs',
      'accounts',
      'rules',
      'release_families',
    ];
    const before = await env.snapshot(...tables);
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const { method, path, role, eventStream } of await operations()) {
      if (!path.startsWith('/api/v1/') || role === 'public') continue;
      // A stream the caller may open never ends; the routes beside it say the role is enforced.
      if (eventStream && allowed(held, role)) continue;
      const response = await server.inject({
        method: method as 'GET',
        url: path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000'),
        headers: { 'x-auth-token': tokens[held] },
        ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
      });
      const refused = response.statusCode === 403;
      outcomes.push(`${method} ${path} ${refused ? response.json().error : 'not refused'}`);
      expected.push(
        `${method} ${path} ${
          allowed(held, role)
            ? 'not refused'
            : role === 'glint-admin'
              ? 'admin_required'
              : 'role_required'
        }`,
      );
    }
    expect(outcomes).toEqual(expected);
    expect(await env.snapshot(...tables)).toEqual(before);
  },
);

test('a reader and a member may read rules but neither write a rule nor a site’s labels', async () => {
  const rule = {
    images: { names: ['*'] },
    sites: { labels: { experiment: 'atlas' } },
  };
  for (const held of ['reader', 'member'] as const) {
    const headers = { 'x-auth-token': tokens[held] };
    const writes = [
      await server.inject({ method: 'PUT', url: '/api/v1/rules/atlas', headers, payload: rule }),
      await server.inject({ method: 'DELETE', url: '/api/v1/rules/atlas', headers }),
      await server.inject({
        method: 'PATCH',
        url: '/api/v1/sites/00000000-0000-4000-8000-000000000000',
        headers,
        payload: { labels: { experiment: 'atlas' } },
      }),
    ];
    for (const response of writes)
      expect({ held, status: response.statusCode, error: response.json().error }).toEqual({
        held,
        status: 403,
        error: 'role_required',
      });
    const read = await server.inject({ method: 'GET', url: '/api/v1/rules', headers });
    expect({ held, status: read.statusCode }).toEqual({ held, status: 200 });
  }
  expect(await env.query('SELECT 1 FROM rules')).toEqual([]);
});

test("the refusal names the role needed and the caller's", async () => {
  const response = await server.inject({
    method: 'PUT',
    url: '/api/v1/placements',
    headers: { 'x-auth-token': tokens.reader },
    payload: { changes: [] },
  });
  expect(response.statusCode).toBe(403);
  expect(response.json().message).toMatch(
    /member role on project team-a.*GLINT_MEMBER_ROLES.*reader/,
  );
});

test('/me says which role the caller holds on which project', async () => {
  const me = await server.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { 'x-auth-token': tokens.member },
  });
  expect(me.json()).toMatchObject({ project: { name: 'team-a' }, role: 'member', isAdmin: false });
});

test("the role names are settings: with another name for admin, Keystone's admin is a member", async () => {
  const renamed = await env.start({
    // Its own Redis keys, so the tokens the first server validated are validated again.
    GLINT_REDIS_PREFIX: `${env.redisPrefix}renamed:`,
    GLINT_PROJECT_ADMIN_ROLES: 'glint-site-keeper',
    GLINT_MEMBER_ROLES: 'member,admin',
  });
  const response = await renamed.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { 'x-auth-token': tokens.admin },
  });
  expect(response.json().role).toBe('member');
});
