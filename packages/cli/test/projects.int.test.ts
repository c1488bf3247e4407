/**
 * `glint login --project` and `glint project list|use` against the real API and the sandbox's
 * Keystone, as the sandbox's team-admin (admin on projects team-a and team-b).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  siteBody,
  testEnvironment,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { sandboxCloud } from '../../../test-support/sandbox';
import { loadSession } from '../src/session';
import { bundleGlint, runGlint } from './glint-process';

let env: TestEnvironment;
let server: FastifyInstance;
let dir: string;
let script: string;
let glintEnv: Record<string, string>;

const glint = async (...args: string[]) => {
  const result = await runGlint(script, args, glintEnv);
  if (result.code !== 0) throw new Error(`glint ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'glint-projects-'));
  script = await bundleGlint(dir);
  env = await testEnvironment();
  server = await env.start();
  await server.listen({ port: 0, host: '127.0.0.1' });
  const cloud = sandboxCloud(1);
  const user = cloud.users['team-admin'];
  glintEnv = {
    HOME: dir,
    GLINT_CONFIG_DIR: join(dir, 'config'),
    GLINT_API_URL: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    OS_AUTH_URL: cloud.authUrl,
    OS_USERNAME: user.username,
    OS_PASSWORD: user.password,
    OS_PROJECT_NAME: user.projectName,
    OS_USER_DOMAIN_NAME: user.userDomainName,
    OS_PROJECT_DOMAIN_NAME: user.projectDomainName,
    OS_IDENTITY_API_VERSION: '3',
  };
});

afterAll(async () => {
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('login --project scopes to that project; project use switches, and the sites follow', async () => {
  expect(await glint('login', '--project', 'team-b', '--json')).toMatchObject({
    project: 'team-b',
  });
  expect(await glint('project', 'list', '--json')).toEqual({
    projects: [
      expect.objectContaining({ name: 'team-a', current: false }),
      expect.objectContaining({ name: 'team-b', current: true }),
    ],
  });
  // A site of team-b, added by its admin through the API with the session's token.
  const { token } = (await loadSession({ GLINT_CONFIG_DIR: join(dir, 'config') }))!;
  const created = await server.inject({
    method: 'POST',
    url: '/api/v1/sites',
    headers: { 'x-auth-token': token },
    payload: siteBody('only-in-team-b', sandboxCloud(1), 'demo'),
  });
  expect(created.statusCode).toBe(201);
  const names = async () =>
    ((await glint('site', 'list', '--json')) as unknown as { name: string }[]).map((s) => s.name);
  expect(await names()).toEqual(['only-in-team-b']);

  expect(await glint('project', 'use', 'team-a', '--json')).toMatchObject({
    project: { name: 'team-a' },
    role: 'admin',
  });
  expect(await names()).toEqual([]);
  expect(await glint('whoami', '--json')).toMatchObject({ project: { name: 'team-a' } });
});

test('project use names your projects when you have no such one', async () => {
  const result = await runGlint(script, ['project', 'use', 'not-mine'], glintEnv);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/you have no project not-mine; yours: team-a, team-b/);
});
