/**
 * `glint release family create|set|delete` and `glint release next` against the real API and the
 * sandbox: bad options refused with exit 2 before anything is sent, a family made and changed with
 * its policy as the API stores it, `next` refused while nothing is rolling out and accepted once a
 * version is, and a deleted family gone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { FamilyDetails, ReleaseFamilies } from '@glint/api/replies';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  refreshAll,
  startInventoryWorker,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  addSandboxSites,
  keystoneToken,
  testEnvironment,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { bundleGlint, openstackEnv, runGlint } from './glint-process';

type Family = ReleaseFamilies['families'][number];

const run = `clifam-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let worker: RunningWorker;
let dir: string;
let script: string;

const processEnv = (extra: Record<string, string> = {}) => ({
  HOME: dir,
  GLINT_CONFIG_DIR: join(dir, 'config'),
  GLINT_API_URL: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
  ...extra,
});
const glint = (args: string[]) => runGlint(script, args, processEnv());

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'glint-cli-family-'));
  script = await bundleGlint(dir);
  env = await testEnvironment();
  server = await env.start();
  await server.listen({ port: 0, host: '127.0.0.1' });
  worker = await startInventoryWorker(env);
  const caller = { headers: { 'x-auth-token': await keystoneToken('demo') } };
  await addSandboxSites(server, caller, { one: 1 });
  await images.seed(sandboxCloud(1), `${run}-build`, run);
  await refreshAll(server, caller);
  expect((await runGlint(script, ['login'], processEnv(openstackEnv()))).code).toBe(0);
});

afterAll(async () => {
  await worker?.close();
  await images.close();
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('bad options exit 2 and say which option is wrong', async () => {
  const base = ['release', 'family', 'create', run, '--stable-name', 'X', '--sites', 'tier=prod'];
  const cases: [string[], RegExp][] = [
    [['--soak', 'ten minutes'], /--soak takes a duration like 90s/],
    [['--keep', '3', '--forever'], /give one of --keep N, --until DATE and --forever/],
    [['--until', 'soon'], /--until takes a date like 2027-06-30/],
    [['--keep', '0'], /--keep takes a whole number/],
    [['--wave', 'canary'], /--wave takes KEY=VALUE, not "canary"/],
  ];
  for (const [extra, message] of cases) {
    const refused = await glint([...base, ...extra]);
    expect({ extra, code: refused.code }).toEqual({ extra, code: 2 });
    expect(refused.stderr).toMatch(message);
  }
  const noName = await glint(['release', 'family', 'create', run, '--sites', 'tier=prod']);
  expect(noName.code).toBe(2);
  expect(noName.stderr).toMatch(/--stable-name/);
  const nothing = await glint(['release', 'family', 'set', run]);
  expect(nothing.code).toBe(2);
  expect(nothing.stderr).toMatch(/nothing to change/);
});

test('create and set store the policy the options say; set keeps what it leaves out', async () => {
  const created = await glint([
    'release',
    'family',
    'create',
    run,
    '--stable-name',
    `${run} Stable`,
    '--sites',
    `bench=${run}`,
    '--wave',
    'role=canary,zone=a',
    '--soak',
    '10m',
    '--manual-waves',
    '--no-prestage',
    '--keep',
    '3',
    '--grace',
    '1h',
    '--property',
    'os_distro=debian',
    '--require-property',
    'image_original_user',
    '--json',
  ]);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  expect(JSON.parse(created.stdout) as Family).toMatchObject({
    name: run,
    stableName: `${run} Stable`,
    sites: { labels: { bench: run } },
    waves: [{ labels: { role: 'canary', zone: 'a' } }],
    soakSeconds: 600,
    manualWaves: true,
    prestage: false,
    keepMode: 'last',
    keepLast: 3,
    graceSeconds: 3600,
    properties: { os_distro: 'debian' },
    requiredProperties: ['image_original_user'],
  });

  const changed = await glint([
    'release',
    'family',
    'set',
    run,
    '--until',
    '2027-06-30',
    '--no-manual-waves',
    '--json',
  ]);
  expect(changed.code).toBe(0);
  // An option set leaves out keeps its value: prestage stays off.
  expect(JSON.parse(changed.stdout) as Family).toMatchObject({
    soakSeconds: 600,
    manualWaves: false,
    prestage: false,
    keepMode: 'until',
    properties: { provided_until: '2027-06-30' },
    waves: [{ labels: { role: 'canary', zone: 'a' } }],
  });
  const shown = await glint(['release', 'family', 'set', run, '--soak', '90s', '--prestage']);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(/soak:\s+90 s/);
  expect(shown.stdout).toMatch(/prestage:\s+every wave’s sites copied at once/);
});

test('next is refused while nothing rolls out and accepted once a version does; delete forgets', async () => {
  const early = await glint(['release', 'next', run]);
  expect(early.code).toBe(1);
  expect(early.stderr).toMatch(/publish one first/);

  const published = await glint([
    'release',
    'publish',
    run,
    '--image',
    `${run}-build`,
    '--release-version',
    '1',
    '--property',
    'image_original_user=debian',
  ]);
  expect(published.stderr).toBe('');
  expect(published.code).toBe(0);
  const next = await glint(['release', 'next', run, '--json']);
  expect(next.code).toBe(0);
  expect((JSON.parse(next.stdout) as FamilyDetails).versions.map((v) => v.version)).toEqual(['1']);

  const deleted = await glint(['release', 'family', 'delete', run]);
  expect(deleted.code).toBe(0);
  const gone = await glint(['release', 'show', run]);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toMatch(/no release family/);
});
