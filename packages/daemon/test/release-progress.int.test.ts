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
    for await (const image of adapter.listImages())
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
