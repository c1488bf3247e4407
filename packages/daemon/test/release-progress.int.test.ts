/**
 * A release rolls on as its copies end, not on the release tick: with a real `glint-daemon`
 * whose tick is an hour, a version published into a two-wave family (canary, then the rest, no
 * soak) still reaches the stable name on every site, the copies' ends and each step that changed
 * something taking the family's next step.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FamilyDetails } from '@glint/api/replies';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  bundleDaemon,
  startDaemonProcess,
  stopDaemonProcess,
  type DaemonProcess,
} from '../../../test-support/daemon-process';
import { refreshAll } from '../../../test-support/inventory-worker';
import { sandboxCloud } from '../../../test-support/sandbox';
import { matrixRow, withSites, type SitesFixture } from '../../../test-support/test-environment';

const run = `relprog-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let fixture: SitesFixture<'one' | 'two' | 'three'>;
let dir: string | undefined;
let daemon: DaemonProcess | undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  fixture = await withSites({ one: 1, two: 2, three: 3 });
  dir = await mkdtemp(join(tmpdir(), 'glint-release-progress-'));
  await images.seed(sandboxCloud(1), `${run}-build`, run);
  await images.seed(sandboxCloud(1), `${run}-staged`, `${run}-staged`);
  daemon = await startDaemonProcess(
    await bundleDaemon(dir),
    fixture.env.env({
      GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
      // Only the tick at start, before the family exists: every later step comes from progress.
      GLINT_RELEASE_INTERVAL_SECONDS: '3600',
    }),
  );
  await refreshAll(fixture.server, fixture.user);
});

afterAll(async () => {
  if (daemon) await stopDaemonProcess(daemon, 15_000);
  for (const index of [1, 2, 3]) {
    const adapter = images.adapter(sandboxCloud(index));
    for await (const image of adapter.listImages({ includeHidden: true }))
      if (image.name.startsWith(run)) await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  await fixture?.env.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a two-wave release reaches every site with the release tick an hour away', async () => {
  const { server, user, site } = fixture;
  const { headers } = user;
  const made = await server.inject({
    method: 'POST',
    url: '/api/v1/releases',
    headers,
    payload: {
      name: run,
      stableName: `${run} Stable`,
      sites: { ids: [site.two, site.three] },
      waves: [{ ids: [site.two] }],
      soakSeconds: 0,
      requiredProperties: [],
    },
  });
  expect(made.statusCode).toBe(201);
  const image = (await matrixRow(server, user, `${run}-build`)).id;
  const published = await server.inject({
    method: 'POST',
    url: `/api/v1/releases/${run}/versions`,
    headers,
    payload: { image, version: '1' },
  });
  expect(published.statusCode).toBe(201);

  let states: string[] = [];
  while (!(states.length === 2 && states.every((s) => s === 'stable'))) {
    await sleep(200);
    const details = (
      await server.inject({ method: 'GET', url: `/api/v1/releases/${run}`, headers })
    ).json<FamilyDetails>();
    states = details.versions[0]!.sites.map((s) => s.state);
    expect(states).not.toContain('failed');
  }
  const names = [];
  for await (const found of images.adapter(sandboxCloud(3)).listImages())
    if (found.name === `${run} Stable`) names.push(found.name);
  expect(names).toEqual([`${run} Stable`]);
}, 180_000);

test('a pre-staged copy stays hidden until its wave gives it the stable name, and counts as present meanwhile', async () => {
  const { server, user, site } = fixture;
  const { headers } = user;
  const family = `${run}-manual`;
  const stableName = `${run} Manual`;
  const made = await server.inject({
    method: 'POST',
    url: '/api/v1/releases',
    headers,
    payload: {
      name: family,
      stableName,
      sites: { ids: [site.two, site.three] },
      waves: [{ ids: [site.two] }],
      // The second wave waits for a person: its pre-staged copy can be looked at before then.
      manualWaves: true,
      soakSeconds: 0,
      requiredProperties: [],
    },
  });
  expect(made.statusCode).toBe(201);
  expect(made.json()).toMatchObject({ prestage: true });
  const row = await matrixRow(server, user, `${run}-staged`);
  const published = await server.inject({
    method: 'POST',
    url: `/api/v1/releases/${family}/versions`,
    headers,
    payload: { image: row.id, version: '1' },
  });
  expect(published.statusCode).toBe(201);
  const sitesUntil = async (done: (states: Record<string, string>) => boolean) => {
    for (;;) {
      const details = (
        await server.inject({ method: 'GET', url: `/api/v1/releases/${family}`, headers })
      ).json<FamilyDetails>();
      const sites = details.versions[0]!.sites;
      expect(sites.map((s) => s.state)).not.toContain('failed');
      if (done(Object.fromEntries(sites.map((s) => [s.siteId, s.state])))) return sites;
      await sleep(200);
    }
  };
  const listed = async (name: string) => {
    const ids = [];
    for await (const found of images.adapter(sandboxCloud(3)).listImages({ name }))
      ids.push(found.id);
    return ids;
  };

  const staged = await sitesUntil(
    (states) => states[site.two] === 'stable' && states[site.three] === 'present',
  );
  const copyId = staged.find((s) => s.siteId === site.three)!.cloudImageId!;
  expect(await images.adapter(sandboxCloud(3)).getImage(copyId)).toMatchObject({
    name: `${stableName} (1)`,
    status: 'active',
    hidden: true,
  });
  // A listing on the site shows neither the version to come nor, yet, anything under the name.
  expect(await listed(`${stableName} (1)`)).toEqual([]);
  expect(await listed(stableName)).toEqual([]);
  // The matrix counts the hidden copy Glint made as there, and a delete is not refused as hidden.
  const cell = (await matrixRow(server, user, `${run}-staged`)).cells.find(
    (c) => c.siteId === site.three,
  );
  expect(cell).toMatchObject({ state: 'present', hidden: true });
  const plan = await server.inject({
    method: 'POST',
    url: '/api/v1/plan',
    headers,
    payload: { changes: [{ image: row.id, site: site.three, wanted: false }], force: true },
  });
  expect(plan.statusCode).toBe(200);
  expect(plan.json<{ refusals: { reason: string }[] }>().refusals).not.toContainEqual(
    expect.objectContaining({ reason: 'hidden_not_placed' }),
  );

  const next = await server.inject({
    method: 'POST',
    url: `/api/v1/releases/${family}/waves/next`,
    headers,
  });
  expect(next.statusCode).toBeLessThan(300);
  await sitesUntil((states) => Object.values(states).every((state) => state === 'stable'));
  expect(await images.adapter(sandboxCloud(3)).getImage(copyId)).toMatchObject({
    name: stableName,
    hidden: false,
  });
  expect(await listed(stableName)).toEqual([copyId]);
}, 180_000);
