/**
 * A rollout halted by a failing destination, on real sandbox clouds through the API and the
 * daemon's workers, checked with the OpenStack reference client. The families' canary is cloud2;
 * their second wave is cloud1 and "flaky": cloud3 reached through a proxy in front of its Glance
 * (the site's image endpoint override). Cutting the proxy makes every copy to flaky fail as it
 * would with that Glance down, while cloud3 itself serves the other test files as usual.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FamilyDetails } from '../src/schemas/releases';
import { CloudImages } from '../../../test-support/cloud-images';
import { startCuttableProxy, type CuttableProxy } from '../../../test-support/cuttable-proxy';
import {
  refreshAll,
  startReleaseWorkers,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import { releaseFamily } from '../../../test-support/release-family';
import { outboundAllow, sandboxCloud } from '../../../test-support/sandbox';
import {
  addSandboxSites,
  login,
  matrixRow,
  siteBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

jest.setTimeout(400_000);

const run = `relhalt-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
type SiteName = 'canary' | 'healthy' | 'flaky';
const clouds: Record<SiteName, number> = { canary: 2, healthy: 1, flaky: 3 };
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<SiteName, string>;
let proxy: CuttableProxy;
let workers: RunningWorker[] = [];
const families: ReturnType<typeof releaseFamily<SiteName>>[] = [];
/** Longer than any test here: the link stays cut until mended. */
const CUT_MS = 30 * 60_000;

beforeAll(async () => {
  const glance = new URL(sandboxCloud(3).glanceUrl);
  proxy = await startCuttableProxy({ host: glance.hostname, port: Number(glance.port) });
  const proxied = `http://127.0.0.1:${proxy.port}${glance.pathname.replace(/\/$/, '')}`;
  const overrides = {
    GLINT_OUTBOUND_ALLOW: outboundAllow(proxied),
    // A failed copy is tried once more (the cut is an error that may clear), then fails for good.
    GLINT_JOB_ATTEMPTS: '2',
  };
  env = await testEnvironment();
  server = await env.start(overrides);
  user = await login(server);
  const direct = await addSandboxSites(server, user, { canary: 2, healthy: 1 });
  const body = siteBody('flaky', sandboxCloud(3));
  const flaky = await server.inject({
    method: 'POST',
    url: '/api/v1/sites',
    headers: user.headers,
    payload: { ...body, config: { ...body.config, imageEndpointOverride: proxied } },
  });
  expect(flaky.statusCode).toBe(201);
  site = { ...direct, flaky: flaky.json<{ id: string }>().id };
  workers = await startReleaseWorkers(env, overrides);
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  for (const family of families) await family.removeAll();
  await images.close();
  await proxy?.close();
  await env?.close();
});

/** A family over the three sites, canary first, that tolerates `failureThreshold` of a wave failing. */
async function familyOf(name: string, failureThreshold: number) {
  const family = releaseFamily({
    env,
    server,
    user,
    images,
    name,
    stableName: `${name} Stable`,
    sites: {
      canary: { id: site.canary, cloud: clouds.canary },
      healthy: { id: site.healthy, cloud: clouds.healthy },
      flaky: { id: site.flaky, cloud: clouds.flaky },
    },
  });
  families.push(family);
  const made = await family.api('POST', '', {
    name,
    stableName: `${name} Stable`,
    sites: { ids: Object.values(site) },
    waves: [{ ids: [site.canary] }],
    soakSeconds: 0,
    failureThreshold,
    requiredProperties: [],
  });
  expect(made.statusCode).toBe(201);
  return family;
}

/**
 * A build seeded on the canary's cloud and known to Glint: its logical image id. Seeded while the
 * link is up, so the inventory it takes reaches every site.
 */
async function seeded(name: string): Promise<string> {
  await images.seed(sandboxCloud(clouds.canary), name, `${name}-content`);
  await refreshAll(server, user);
  return (await matrixRow(server, user, name)).id;
}

const versionOf = (family: FamilyDetails, version: string) =>
  family.versions.find((v) => v.version === version)!;

/** The error the copy of a version's image to a site failed with, as the jobs table keeps it. */
async function copyError(imageName: string, siteId: string): Promise<string> {
  const rows = await env.query<{ error: string | null }>(
    `SELECT j.error FROM jobs j JOIN images i ON i.id = j.image_id
     WHERE j.operation = 'copy' AND j.state = 'failed' AND i.name = $1
       AND j.destination_site_id = $2`,
    [imageName, siteId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.error!;
}

describe('over the threshold', () => {
  const name = `${run}-a`;
  const stableName = `${name} Stable`;
  let family: (typeof families)[number];

  test('v1 reaches every site, flaky included, while its link is up', async () => {
    family = await familyOf(name, 0.25);
    const image = await seeded(`${name}-v1`);
    const published = await family.api('POST', `/${name}/versions`, { image, version: '1' });
    expect(published.statusCode).toBe(201);
    const details = await family.stepUntil(family.stableEverywhere('1'));
    for (const at of Object.keys(clouds) as SiteName[])
      expect(await family.listed(at)).toEqual([family.copyOf(details, '1', at)]);
  });

  test('flaky failing halts the second wave, naming it; the canary keeps v2, the healthy site v1', async () => {
    const v1 = await family.details();
    // Seeded before the cut: the inventory it takes reaches flaky too.
    const image = await seeded(`${name}-v2`);
    proxy.cut(CUT_MS);
    const published = await family.api('POST', `/${name}/versions`, { image, version: '2' });
    expect(published.statusCode).toBe(201);
    await family.stepUntil(
      (f) =>
        versionOf(f, '2').haltedReason !== null && family.stateOf(f, '2', 'healthy') === 'present',
    );
    // However often the family steps now, nothing more switches.
    const halted = await family.stepTimes(8);
    const v2 = versionOf(halted, '2');
    const error = await copyError(`${name}-v2`, site.flaky);
    console.log(`halted: ${v2.haltedReason}`);
    expect(v2.haltedReason).toContain(`1 of 2 sites of wave 2 failed`);
    expect(v2.haltedReason).toContain(`flaky: ${error}`);
    expect(v2.haltedReason).not.toContain('healthy');
    expect(family.stateOf(halted, '2', 'canary')).toBe('stable');
    expect(family.stateOf(halted, '2', 'healthy')).toBe('present');
    expect(family.stateOf(halted, '2', 'flaky')).toBe('failed');
    expect(v2.sites.find((s) => s.siteId === site.flaky)?.error).toBe(error);

    // The canary's switch stays; the healthy site holds v2 under its version's name only.
    expect(await family.listed('canary')).toEqual([family.copyOf(halted, '2', 'canary')]);
    expect(await family.listed('healthy')).toEqual([family.copyOf(v1, '1', 'healthy')]);
    expect(await family.shown('healthy', family.copyOf(halted, '2', 'healthy'))).toMatchObject({
      name: `${stableName} (2)`,
    });
    expect(await family.listed('flaky')).toEqual([family.copyOf(v1, '1', 'flaky')]);
  });

  test('once the link is back, resuming copies to flaky again and the wave switches', async () => {
    proxy.mend();
    const resumed = await family.api('POST', `/${name}/resume`);
    expect(resumed.statusCode).toBe(200);
    const details = await family.stepUntil(family.stableEverywhere('2'));
    expect(versionOf(details, '2').haltedReason).toBeNull();
    for (const at of Object.keys(clouds) as SiteName[]) {
      expect(await family.listed(at)).toEqual([family.copyOf(details, '2', at)]);
      expect(await family.shown(at, family.copyOf(details, '1', at))).toMatchObject({
        name: `${stableName} (1)`,
        properties: expect.objectContaining({ os_hidden: true }) as unknown,
      });
    }
  });
});

describe('under the threshold', () => {
  const name = `${run}-b`;
  let family: (typeof families)[number];

  test('one failing site of two is tolerated: the rollout goes on without it', async () => {
    family = await familyOf(name, 0.5);
    const image = await seeded(`${name}-v1`);
    proxy.cut(CUT_MS);
    const published = await family.api('POST', `/${name}/versions`, { image, version: '1' });
    expect(published.statusCode).toBe(201);
    await family.stepUntil(
      (f) =>
        family.stateOf(f, '1', 'healthy') === 'stable' &&
        family.stateOf(f, '1', 'flaky') === 'failed',
    );
    const after = await family.stepTimes(8);
    expect(versionOf(after, '1').haltedReason).toBeNull();
    expect(family.stateOf(after, '1', 'canary')).toBe('stable');
    expect(family.stateOf(after, '1', 'flaky')).toBe('failed');
    // Nothing halted, so the family's details are where the failure is told.
    expect(versionOf(after, '1').sites.find((s) => s.siteId === site.flaky)?.error).toBe(
      await copyError(`${name}-v1`, site.flaky),
    );
    for (const at of ['canary', 'healthy'] as const)
      expect(await family.listed(at)).toEqual([family.copyOf(after, '1', at)]);
    expect(await family.listed('flaky')).toEqual([]);
  });

  test('resuming once the link is back copies to the failed site, which switches too', async () => {
    proxy.mend();
    const resumed = await family.api('POST', `/${name}/resume`);
    expect(resumed.statusCode).toBe(200);
    const details = await family.stepUntil(family.stableEverywhere('1'));
    for (const at of Object.keys(clouds) as SiteName[])
      expect(await family.listed(at)).toEqual([family.copyOf(details, '1', at)]);
  });
});
