import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { sandboxCloud, sandboxClouds, sandboxDir } from '../../test-support/sandbox';

// The CI smoke of the quickstart: deploy/quickstart --sandbox as a new user runs it, but on its own
// port, state dir, database, Redis prefix and directory for the glint command, so it leaves the
// machine's Glint (if any) alone.
const run = promisify(execFile);
const script = join(__dirname, '..', 'quickstart');
const id = randomBytes(4).toString('hex');
const state = mkdtempSync(join(tmpdir(), 'glint-quickstart-'));
const binDir = join(state, 'bin');
const database = `glint_quickstart_${id}`;
const port = 18400 + (process.pid % 80);
const panelUrl = `http://127.0.0.1:${port}/`;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  GLINT_QUICKSTART_DIR: state,
  GLINT_QUICKSTART_BIN_DIR: binDir,
  GLINT_PORT: String(port),
  GLINT_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
  GLINT_REDIS_PREFIX: `glint-quickstart:${id}:`,
};
delete env.GLINT_KEYSTONE_URL;
const quickstart = (...args: string[]) =>
  run('bash', [script, ...args], { env, maxBuffer: 16 * 1024 * 1024 });

// A user's shell after the quickstart: the glint command's directory on PATH, the sandbox's clouds.yaml.
const cloudsYaml = join(sandboxDir, 'clouds.yaml');
const userEnv = {
  ...env,
  PATH: `${binDir}:${process.env.PATH}`,
  OS_CLIENT_CONFIG_FILE: cloudsYaml,
  GLINT_CONFIG_DIR: join(state, 'cli'),
};
const glint = (...args: string[]) => run('glint', args, { env: userEnv });

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

/** The demo image's copies on the sandbox's cloud 1, as Glance lists them to the demo user. */
async function demoImagesOnCloud1(): Promise<number> {
  const { authUrl, users } = sandboxCloud(1);
  const { stdout } = await run(
    'openstack',
    ['image', 'list', '--name', 'glint-demo', '-f', 'value', '-c', 'ID'],
    {
      env: {
        PATH: process.env.PATH,
        OS_AUTH_URL: authUrl,
        OS_USERNAME: users.demo.username,
        OS_PASSWORD: users.demo.password,
        OS_PROJECT_NAME: users.demo.projectName,
        OS_USER_DOMAIN_NAME: users.demo.userDomainName,
        OS_PROJECT_DOMAIN_NAME: users.demo.projectDomainName,
      },
    },
  );
  return stdout.split('\n').filter(Boolean).length;
}

const demo = sandboxCloud(1).users.demo;
const api = `${panelUrl}api/v1`;

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
  const demoImages = await demoImagesOnCloud1();
  const { stdout, stderr } = await quickstart('--sandbox');
  expect(stdout).toContain(`Glint is running: ${panelUrl}`);
  // The test machine's Redis keeps nothing on disk (deploy/test-env), which the quickstart says.
  expect(stderr).toMatch(/^quickstart: warning: Redis runs with appendonly no, /m);

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

  // The demo image an earlier quickstart left on cloud 1 is found, not uploaded again.
  expect(await demoImagesOnCloud1()).toBe(Math.max(demoImages, 1));
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

test('it prints one line per step with its time, and keeps what the steps print in its log', async () => {
  const { stdout } = await quickstart('--sandbox');
  const [steps, summary] = stdout.split('\n\n');
  for (const line of steps!.split('\n')) expect(line).toMatch(/^quickstart: /);
  for (const step of [
    'Node.js 24 (deploy/node24)',
    'building (tsc -b, incremental)',
    'bundling the panel (esbuild)',
    'migrating the database',
  ]) {
    expect(steps).toMatch(
      new RegExp(`^quickstart: ${step.replace(/[()]/g, '\\$&')} … \\d+\\.\\d s$`, 'm'),
    );
  }
  expect(summary).toContain(`export OS_CLIENT_CONFIG_FILE=${cloudsYaml}`);
  expect(summary).toContain(`glint login --api ${panelUrl.slice(0, -1)} --os-cloud cloud1-demo`);
  // The migration's own output, which the terminal no longer shows.
  expect(readFileSync(join(state, 'quickstart.log'), 'utf8')).toMatch(
    /==== \S+ migrating the database\n[\s\S]*No migrations to run!/,
  );
});

test('glint is on PATH after it, and logs in with the sandbox clouds.yaml', async () => {
  const login = await glint('login', '--api', panelUrl, '--os-cloud', 'cloud1-demo');
  expect(login.stdout).toMatch(/demo/);
  const whoami = JSON.parse((await glint('whoami', '--json')).stdout) as { name: string };
  expect(whoami.name).toBe('demo');
  const images = (await glint('image', 'list', '--json')).stdout;
  expect(images).toContain('"glint-demo"');
});

test("the sandbox's clouds.yaml (0600) has an entry per cloud and user that the OpenStack client takes", async () => {
  expect(statSync(cloudsYaml).mode & 0o777).toBe(0o600);
  const yaml = readFileSync(cloudsYaml, 'utf8');
  const entries = [...yaml.matchAll(/^ {2}(\S+):$/gm)].map((match) => match[1]);
  expect(entries).toEqual(
    sandboxClouds().flatMap((cloud) =>
      Object.keys(cloud.users).map((user) => `${cloud.name}-${user}`),
    ),
  );
  expect(entries).toEqual(
    expect.arrayContaining(['cloud1-demo', 'cloud1-team-reader', 'cloud1-team-admin']),
  );
  const { stdout } = await run(
    'openstack',
    [
      '--os-cloud',
      'cloud1-demo',
      'image',
      'list',
      '--name',
      'glint-demo',
      '-f',
      'value',
      '-c',
      'Name',
    ],
    { env: userEnv },
  );
  expect(stdout).toContain('glint-demo');
});

test('a second run without --sandbox reuses the last run’s mode, secrets and processes', async () => {
  const before = readFileSync(join(state, 'secrets.env'), 'utf8');
  const pids = ['api', 'daemon'].map((name) => readFileSync(join(state, `${name}.pid`), 'utf8'));
  const { stdout } = await quickstart();
  expect(stdout).toContain(
    'quickstart: using the OpenStack sandbox, as the last run did (--sandbox)',
  );
  expect(stdout).toMatch(/api already running \(pid \d+\), unchanged/);
  expect(stdout).toMatch(/daemon already running \(pid \d+\), unchanged/);
  expect(stdout).toMatch(/registering the sandbox's clouds 1 and 2 and a demo image .* … [\d.]+ s/);
  expect(readFileSync(join(state, 'secrets.env'), 'utf8')).toBe(before);
  expect(['api', 'daemon'].map((name) => readFileSync(join(state, `${name}.pid`), 'utf8'))).toEqual(
    pids,
  );
});

test('stop ends both processes; status then says so', async () => {
  await quickstart('stop');
  await expect(quickstart('status')).rejects.toMatchObject({ code: 3 });
});

test('a first run without --sandbox or a Keystone stops with a message saying what to set', async () => {
  const fresh = mkdtempSync(join(tmpdir(), 'glint-quickstart-'));
  try {
    await expect(
      run('bash', [script], { env: { ...env, GLINT_QUICKSTART_DIR: fresh } }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/GLINT_KEYSTONE_URL is not set: give the Keystone/),
    });
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});
