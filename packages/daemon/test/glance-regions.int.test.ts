/**
 * Copies between regions of one Keystone through the whole of Glint: the real API with the
 * sandbox's regions cloud as three sites, a real daemon. An image of RegionA is placed on RegionB
 * and RegionC: the planner gives both one job from RegionA's copy; RegionB's Glance pulls the image
 * itself (glance-download), while RegionC's lists no glance-download in GET /v2/info/import, so
 * Glint streams it there, and the job history names each copy's method. RegionA is read through a
 * proxy that counts downloads: Glint reads it once, for RegionC only.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  startImageReadCounter,
  type ImageReadCounter,
} from '../../../test-support/image-read-counter';
import { randomImageStream } from '../../../test-support/random-image';
import {
  outboundAllow,
  passwordCredential,
  regionCloud,
  sandboxOutbound,
  sandboxRegions,
  siteConfig,
  type SandboxCloud,
} from '../../../test-support/sandbox';
import {
  applyPlacements,
  login,
  siteBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { createAdapter } from '@glint/cloud-adapters';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../src';
import { cellOn, endedJobs, inventoried } from './ec2-system';

const MiB = 1024 * 1024;
const regions = sandboxRegions();
if (!regions?.regions[2])
  throw new Error(
    'the sandbox has no regions cloud of three regions; start it with: bash deploy/sandbox/glint-sandbox regions start',
  );
const [regionA, regionB, regionC] = [0, 1, 2].map((n) => regionCloud(regions, n as 0 | 1 | 2)) as [
  SandboxCloud,
  SandboxCloud,
  SandboxCloud,
];
const run = `regions-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();

let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let daemon: RunningDaemon;
let readsOfA: ImageReadCounter;
const site: Record<string, string> = {};

async function addSite(
  cloud: SandboxCloud,
  {
    as = 'demo',
    imageEndpointOverride,
  }: { as?: 'demo' | 'admin'; imageEndpointOverride?: string } = {},
): Promise<void> {
  const name = as === 'demo' ? cloud.region : `${cloud.region}-${as}`;
  const body = siteBody(name, cloud, as);
  const added = await server.inject({
    method: 'POST',
    url: '/api/v1/sites',
    headers: user.headers,
    payload: { ...body, config: { ...body.config, imageEndpointOverride } },
  });
  if (added.statusCode !== 201) throw new Error(`adding ${name} failed: ${added.body}`);
  site[name] = added.json<{ id: string }>().id;
}

beforeAll(async () => {
  env = await testEnvironment();
  readsOfA = await startImageReadCounter(regionA.glanceUrl);
  const allow = { GLINT_OUTBOUND_ALLOW: outboundAllow(readsOfA.url) };
  server = await env.start(allow);
  user = await login(server);
  await addSite(regionA, { imageEndpointOverride: readsOfA.url });
  await addSite(regionB);
  await addSite(regionC);
  await addSite(regionB, { as: 'admin' });
  daemon = await startDaemon(
    loadDaemonConfig(env.env({ ...allow, GLINT_INVENTORY_INTERVAL_SECONDS: '3600' })),
    () => {},
  );
});

afterAll(async () => {
  await daemon?.stop();
  // Glint's copies: the admin project's are seen by its admin user only.
  const admin = (cloud: SandboxCloud) =>
    createAdapter('openstack', siteConfig(cloud, 'admin'), passwordCredential(cloud, 'admin'), {
      outbound: sandboxOutbound(),
    });
  for (const adapter of [images.adapter(regionB), images.adapter(regionC), admin(regionB)]) {
    for await (const image of adapter.listImages())
      if (image.name.startsWith(run)) await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  await readsOfA?.close();
  await env?.close();
});

test('RegionB pulls the image itself; RegionC, whose Glance offers no glance-download, gets it streamed, and the job says so', async () => {
  const size = 4 * MiB + 3;
  const image = await images.upload(
    regionA,
    { name: run, diskFormat: 'raw' },
    randomImageStream(size, run),
    size,
  );
  const system = { server, user };
  const imageId = await inventoried(system, run);

  const plan = await applyPlacements(server, user, [
    { image: imageId, site: site.RegionB!, wanted: true },
    { image: imageId, site: site.RegionC!, wanted: true },
  ]);

  expect(plan.copies).toEqual([
    expect.objectContaining({
      source: { siteId: site.RegionA, cloudImageId: image.id },
      destinations: [site.RegionB, site.RegionC].sort(),
    }),
  ]);
  const [job] = await endedJobs(system, imageId, 'copy');
  expect(job!.parts.map((part) => [part.siteId, part.state, part.method, part.error])).toEqual(
    expect.arrayContaining([
      [site.RegionB, 'succeeded', 'glance-download', null],
      [site.RegionC, 'succeeded', 'stream', null],
    ]),
  );
  // Glint read RegionA once, for RegionC; RegionB's Glance fetched the image from RegionA's itself.
  expect(readsOfA.downloads(image.id)).toEqual({ requests: 1, bytes: size });
  for (const region of ['RegionB', 'RegionC']) {
    const cell = await cellOn(system, run, site[region]!);
    expect(cell).toMatchObject({ state: 'present', wanted: true });
    const copy = await images
      .adapter(region === 'RegionB' ? regionB : regionC)
      .getImage(cell.cloudImageId!);
    expect([copy.size, copy.hashValue]).toEqual([size, image.hashValue]);
  }
});

test('a destination whose Glance offers glance-download but may not read the image gets it streamed, and the job says so', async () => {
  // RegionB's admin project cannot read the demo project's private image in RegionA: its Glance
  // would be asked in vain, so the copy is turned down before any is made, and Glint streams it.
  const name = `${run}-private`;
  const size = 2 * MiB;
  await images.upload(regionA, { name, diskFormat: 'raw' }, randomImageStream(size, name), size);
  const system = { server, user };
  const imageId = await inventoried(system, name);

  await applyPlacements(server, user, [
    { image: imageId, site: site['RegionB-admin']!, wanted: true },
  ]);

  const [job] = await endedJobs(system, imageId, 'copy');
  expect(job!.parts.map((part) => [part.state, part.method, part.error])).toEqual([
    ['succeeded', 'stream', null],
  ]);
  expect(await cellOn(system, name, site['RegionB-admin']!)).toMatchObject({
    state: 'present',
    wanted: true,
  });
});
