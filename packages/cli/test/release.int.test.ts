/**
 * `glint release` against the real API and the sandbox: a family made through the API, a version
 * refused for a missing property and then published with it, the family shown, halted and resumed,
 * and a family that does not exist refused with exit 1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { FamilyDetails, ReleasePlan, ReleaseVersion } from '@glint/api/replies';
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

const run = `clirel-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let worker: RunningWorker;
let dir: string;
let script: string;
let caller: { headers: Record<string, string> };
let siteOne: string;

const glint = (args: string[]) =>
  runGlint(script, args, {
    HOME: dir,
    GLINT_CONFIG_DIR: join(dir, 'config'),
    GLINT_API_URL: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'glint-cli-release-'));
  script = await bundleGlint(dir);
  env = await testEnvironment();
  server = await env.start();
  await server.listen({ port: 0, host: '127.0.0.1' });
  worker = await startInventoryWorker(env);
  caller = { headers: { 'x-auth-token': await keystoneToken('demo') } };
  const { one } = await addSandboxSites(server, caller, { one: 1 });
  siteOne = one;
  await images.seed(sandboxCloud(1), `${run}-build`, run);
  await refreshAll(server, caller);
  const made = await server.inject({
    method: 'POST',
    url: '/api/v1/releases',
    headers: caller.headers,
    payload: { name: run, stableName: `${run} Stable`, sites: { ids: [one] } },
  });
  expect(made.statusCode).toBe(201);
  const login = await runGlint(script, ['login'], {
    HOME: dir,
    GLINT_CONFIG_DIR: join(dir, 'config'),
    GLINT_API_URL: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    ...openstackEnv(),
  });
  expect(login.code).toBe(0);
});

afterAll(async () => {
  await worker?.close();
  await images.close();
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('publish names the missing required properties and exits 1; with them the version is published', async () => {
  const refused = await glint([
    'release',
    'publish',
    run,
    '--image',
    `${run}-build`,
    '--release-version',
    '1',
  ]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(
    /missing required properties: image_original_user, replace_frequency, provided_until, uuid_validity/,
  );

  const properties = [
    'image_original_user=debian',
    'replace_frequency=weekly',
    'provided_until=none',
    'uuid_validity=last-2',
  ];
  const published = await glint([
    'release',
    'publish',
    run,
    '--image',
    `${run}-build`,
    '--release-version',
    '1',
    '--json',
    ...properties.flatMap((p) => ['--property', p]),
  ]);
  expect(published.code).toBe(0);
  const version = JSON.parse(published.stdout) as ReleaseVersion;
  expect(version).toMatchObject({
    version: '1',
    channels: ['latest'],
    provenance: { image_original_user: 'debian' },
  });

  const bad = await glint([
    'release',
    'publish',
    run,
    '--image',
    `${run}-build`,
    '--property',
    'no-equals',
  ]);
  expect(bad.code).toBe(2);
});

const familyNow = async () =>
  (
    await server.inject({ method: 'GET', url: `/api/v1/releases/${run}`, headers: caller.headers })
  ).json<FamilyDetails>();

test('--dry-run prints the plan per site and changes nothing, for next too; a plan the API refuses exits 1', async () => {
  const before = await familyNow();
  const halt = await glint(['release', 'halt', run, '--reason', 'a look', '--dry-run']);
  expect(halt.code).toBe(0);
  expect(halt.stdout).toMatch(/^The rollout of 1 stops where it is\.$/m);
  expect(halt.stdout).toMatch(/^SITE\s+WAVE\s+HOLDS NOW\s+WHAT HAPPENS$/m);
  // No release worker runs here: the switch that is due is what the halt withholds.
  expect(halt.stdout).toMatch(/^\S+\s+1\s+-\s+nothing; withheld: 1 takes “.* Stable”$/m);
  expect(halt.stdout).toMatch(/^0 B to copy\. Dry run: nothing was changed\.$/m);
  const json = await glint(['release', 'resume', run, '--dry-run', '--json']);
  expect(json.code).toBe(0);
  const plan = JSON.parse(json.stdout) as ReleasePlan;
  expect(plan).toMatchObject({ action: 'resume', version: '1', bytes: 0 });
  expect(plan.sites.map((s) => [s.siteId, s.changes.map((c) => c.kind)])).toEqual([
    [siteOne, ['switch']],
  ]);
  const rollback = await glint(['release', 'rollback', run, '--dry-run']);
  expect(rollback.code).toBe(1);
  expect(rollback.stderr).toMatch(/has no earlier version to go back to/);
  const next = await glint(['release', 'next', run, '--dry-run']);
  expect(next.code).toBe(0);
  expect(next.stdout).toMatch(/^The rollout of 1 may go on to wave 2\.$/m);
  expect(next.stdout).toMatch(/^SITE\s+WAVE\s+HOLDS NOW\s+WHAT HAPPENS$/m);
  expect(next.stdout).toMatch(/^\S+\s+1\s+-\s+1 takes “.* Stable”$/m);
  expect(next.stdout).toMatch(/Dry run: nothing was changed\.$/m);
  expect(await familyNow()).toEqual(before);
});

test('show, halt and resume change and show the family; an unknown family exits 1', async () => {
  const listed = await glint(['release', 'list']);
  expect(listed.stdout).toContain(`${run} Stable`);
  const halted = await glint(['release', 'halt', run, '--reason', 'checking a report', '--json']);
  expect(halted.code).toBe(0);
  expect((JSON.parse(halted.stdout) as FamilyDetails).versions[0]!.haltedReason).toBe(
    'checking a report',
  );
  const resumed = await glint(['release', 'resume', run]);
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toMatch(/^1\s+latest/m);
  const unknown = await glint(['release', 'show', `${run}-nope`]);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/no release family/);
});
