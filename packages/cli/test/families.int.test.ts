/**
 * The `families:` section of `glint plan|apply -f` against the real API and PostgreSQL, as the
 * sandbox's demo user (an admin of project demo): plan saves nothing, apply creates a family
 * through /api/v1/releases, a changed file changes only what it changes, and a family the file no
 * longer holds stays, as a rule would. A file with a mistake is refused with its line, saving
 * nothing. `glint release list` reads what was saved.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ReleaseFamily } from '@glint/api/replies';
import {
  addSandboxSites,
  login,
  testEnvironment,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { bundleGlint, openstackEnv, runGlint, type GlintResult } from './glint-process';

let env: TestEnvironment;
let server: FastifyInstance;
let dir: string;
let script: string;
let glintEnv: Record<string, string>;

const glint = (...args: string[]) => runGlint(script, args, glintEnv);
const json = <T>(result: GlintResult): T => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};
const families = async () => json<ReleaseFamily[]>(await glint('release', 'list', '--json'));
const family = async (name: string) => (await families()).find((f) => f.name === name);

/** A placements file of these lines, written to `name`. */
async function placementsFile(name: string, lines: string[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, [...lines, ''].join('\n'));
  return file;
}

const ubuntu = [
  '  - family: ubuntu-24.04',
  '    stable_name: Ubuntu 24.04',
  '    sites: { labels: { tier: prod } }',
  '    waves: [{ labels: { role: canary } }]',
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'glint-families-'));
  script = await bundleGlint(dir);
  env = await testEnvironment();
  server = await env.start();
  await addSandboxSites(server, await login(server), { east: 1 });
  await server.listen({ port: 0, host: '127.0.0.1' });
  glintEnv = {
    HOME: dir,
    GLINT_CONFIG_DIR: join(dir, 'config'),
    GLINT_API_URL: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    ...openstackEnv(),
  };
  expect((await glint('login')).code).toBe(0);
});

afterAll(async () => {
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('plan -f shows the families a file would create and saves nothing; apply -f creates them', async () => {
  const file = await placementsFile('families.yaml', [
    'families:',
    ...ubuntu,
    '    keep: 3',
    '    soak_seconds: 600',
    '    properties: { replace_frequency: weekly }',
  ]);
  const plan = await glint('plan', '-f', file);
  expect(plan.stderr).toBe('');
  expect(plan.code).toBe(0);
  expect(plan.stdout).toContain(
    '+ create family ubuntu-24.04: stable_name "Ubuntu 24.04"; sites labels tier=prod; ' +
      'waves (labels role=canary); keep 3; soak_seconds 600; properties {replace_frequency=weekly}\n' +
      '1 family to create, 0 to change, 0 unchanged, 0 not in the file.',
  );
  expect(await family('ubuntu-24.04')).toBeUndefined();
  const planJson = json<{ families: unknown[] }>(await glint('plan', '-f', file, '--json'));
  expect(planJson.families).toEqual([
    expect.objectContaining({ name: 'ubuntu-24.04', action: 'create' }),
  ]);

  const applied = await glint('apply', '-f', file);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  expect(applied.stdout).toMatch(/^\+ created family ubuntu-24\.04: /m);
  expect(await family('ubuntu-24.04')).toMatchObject({
    stableName: 'Ubuntu 24.04',
    sites: { labels: { tier: 'prod' } },
    waves: [{ labels: { role: 'canary' } }],
    keepMode: 'last',
    keepLast: 3,
    soakSeconds: 600,
    properties: { replace_frequency: 'weekly' },
    // What the file leaves out has the API's defaults.
    manualWaves: false,
    follows: 'latest',
  });
  // Applied again, the file changes nothing.
  const again = await glint('apply', '-f', file);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('= family ubuntu-24.04: unchanged');
});

test('a changed file changes what it changes; what it leaves out stays', async () => {
  const file = await placementsFile('changed.yaml', [
    'families:',
    ...ubuntu,
    '    keep: 2027-06-30',
    '    manual_waves: true',
    '    failure_threshold: 0.5',
  ]);
  const plan = await glint('plan', '-f', file);
  expect(plan.code).toBe(0);
  expect(plan.stdout).toContain(
    '~ change family ubuntu-24.04: keep 3 → until; manual_waves false → true; ' +
      'failure_threshold 0 → 0.5; properties {replace_frequency=weekly} → ' +
      '{replace_frequency=weekly, provided_until=2027-06-30}',
  );
  expect(await family('ubuntu-24.04')).toMatchObject({ keepMode: 'last', manualWaves: false });

  const applied = await glint('apply', '-f', file, '--json');
  const output = json<{ families: { action: string; family: ReleaseFamily }[] }>(applied);
  expect(output.families.map((f) => f.action)).toEqual(['update']);
  expect(await family('ubuntu-24.04')).toMatchObject({
    keepMode: 'until',
    manualWaves: true,
    failureThreshold: 0.5,
    properties: { replace_frequency: 'weekly', provided_until: '2027-06-30' },
    // Not in the changed file: kept.
    soakSeconds: 600,
  });
});

test('a family the file no longer holds stays, as rules do; plan and apply say so', async () => {
  const file = await placementsFile('other.yaml', [
    'families:',
    '  - family: atlas',
    '    stable_name: ATLAS worker',
    '    sites: { labels: { experiment: atlas } }',
    '    keep: forever',
  ]);
  const plan = await glint('plan', '-f', file);
  expect(plan.code).toBe(0);
  expect(plan.stdout).toContain(
    '· family ubuntu-24.04 stays as it is (not in the file); glint release family delete ubuntu-24.04 forgets it',
  );
  const applied = await glint('apply', '-f', file);
  expect(applied.code).toBe(0);
  expect(applied.stdout).toContain('1 family created, 0 changed, 0 unchanged, 1 not in the file.');
  expect((await families()).map((f) => f.name)).toEqual(['atlas', 'ubuntu-24.04']);
  expect(await family('atlas')).toMatchObject({ keepMode: 'forever' });
});

test('a families: section with a mistake is refused with its line, and nothing is saved', async () => {
  const file = await placementsFile('bad.yaml', [
    'families:',
    '  - family: good-one',
    '    stable_name: Good',
    '    sites: { types: [openstack] }',
    '  - family: bad-one',
    '    stable_name: Bad',
    '    sites: { types: [openstack] }',
    '    keep: last-3',
  ]);
  const result = await glint('apply', '-f', file);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`${file}:8: families.1.keep: must be a number N`);
  expect(await family('good-one')).toBeUndefined();
});

test('a family the API refuses stops apply with its message and exit 1', async () => {
  // ids of a site selector are site ids: the API refuses one that is none.
  const file = await placementsFile('refused.yaml', [
    'families:',
    '  - family: refused',
    '    stable_name: Refused',
    '    sites: { ids: [not-a-site-id] }',
  ]);
  const result = await glint('apply', '-f', file);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/sites\/ids\/0/);
  expect(await family('refused')).toBeUndefined();
});
