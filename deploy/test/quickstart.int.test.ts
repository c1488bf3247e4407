import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { sandboxCloud, sandboxClouds } from '../../test-support/sandbox';

// The CI smoke of the quickstart: deploy/quickstart --sandbox as a new user runs it, but on its own
// port, state dir, database and Redis prefix, so it leaves the machine's Glint (if any) alone.
const run = promisify(execFile);
const script = join(__dirname, '..', 'quickstart');
const id = randomBytes(4).toString('hex');
const state = mkdtempSync(join(tmpdir(), 'glint-quickstart-'));
const database = `glint_quickstart_${id}`;
const port = 18400 + (process.pid % 80);
const env = {
  ...process.env,
  GLINT_QUICKSTART_DIR: state,
  GLINT_PORT: String(port),
  GLINT_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
  GLINT_REDIS_PREFIX: `glint-quickstart:${id}:`,
};
const quickstart = (...args: string[]) =>
  run('bash', [script, ...args], { env, maxBuffer: 16 * 1024 * 1024 });

jest.setTimeout(600_000);

afterAll(async () => {
  await quickstart('stop').catch(() => {});
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${env.GLINT_REDIS_PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(state, { recursive: true, force: true });
});

const demo = sandboxCloud(1).users.demo;
const api = `http://127.0.0.1:${port}/api/v1`;

/** The demo user's login at the quickstart's API, as the panel sends it. */
const loginAsDemo = () =>
  fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: demo.username,
      password: demo.password,
      project: demo.projectName,
    }),
  });

test('the quickstart brings Glint up: the panel URL answers and the demo user logs in', async () => {
  const { stdout } = await quickstart('--sandbox');
  const panelUrl = `http://127.0.0.1:${port}/`;
  expect(stdout).toContain(`Glint is running: ${panelUrl}`);

  const page = await fetch(panelUrl);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('glint-panel');

  const login = await loginAsDemo();
  expect(login.status).toBe(200);
  expect(await login.json()).toMatchObject({ user: { name: demo.username } });

  // Secrets stay in the state dir, readable by its owner only, and out of the logs.
  const secrets = readFileSync(join(state, 'secrets.env'), 'utf8');
  expect(statSync(join(state, 'secrets.env')).mode & 0o777).toBe(0o600);
  expect(statSync(state).mode & 0o777).toBe(0o700);
  const sessionSecret = /^GLINT_SESSION_SECRET=(.+)$/m.exec(secrets)![1]!;
  expect(readFileSync(join(state, 'api.log'), 'utf8')).not.toContain(sessionSecret);
});

test("with --sandbox, sites reach exactly the sandbox's clouds: Redis and PostgreSQL stay refused", async () => {
  const settings = readFileSync(join(state, 'glint.env'), 'utf8');
  const allowed = /^GLINT_OUTBOUND_ALLOW='(.*)'$/m.exec(settings)?.[1]?.split(',');
  const clouds = sandboxClouds().flatMap((cloud) => [cloud.authUrl, cloud.glanceUrl]);
  expect(allowed?.sort()).toEqual(clouds.map((url) => new URL(url).host).sort());

  const login = await loginAsDemo();
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  for (const authUrl of ['http://127.0.0.1:6379/v3', 'http://127.0.0.1:5432/v3']) {
    const site = await fetch(`${api}/sites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({
        type: 'openstack',
        name: 'internal',
        config: {
          authUrl,
          projectName: 'demo',
          userDomainName: 'Default',
          projectDomainName: 'Default',
        },
        credential: { kind: 'password', username: demo.username, password: demo.password },
      }),
    });
    expect([authUrl, site.status, ((await site.json()) as { error: string }).error]).toEqual([
      authUrl,
      400,
      'site_address_refused',
    ]);
  }
});

test('a second run reuses everything: same secrets, same processes', async () => {
  const before = readFileSync(join(state, 'secrets.env'), 'utf8');
  const pids = ['api', 'daemon'].map((name) => readFileSync(join(state, `${name}.pid`), 'utf8'));
  const { stdout } = await quickstart('--sandbox');
  expect(stdout).toMatch(/api already running \(pid \d+\), unchanged/);
  expect(stdout).toMatch(/daemon already running \(pid \d+\), unchanged/);
  expect(readFileSync(join(state, 'secrets.env'), 'utf8')).toBe(before);
  expect(['api', 'daemon'].map((name) => readFileSync(join(state, `${name}.pid`), 'utf8'))).toEqual(
    pids,
  );
});

test('stop ends both processes; status then says so', async () => {
  await quickstart('stop');
  await expect(quickstart('status')).rejects.toMatchObject({ code: 3 });
});

test('without --sandbox or a Keystone, it stops with a message saying what to set', async () => {
  const withoutKeystone: NodeJS.ProcessEnv = { ...env };
  delete withoutKeystone.GLINT_KEYSTONE_URL;
  await expect(run('bash', [script], { env: withoutKeystone })).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/GLINT_KEYSTONE_URL is not set: give the Keystone/),
  });
});
