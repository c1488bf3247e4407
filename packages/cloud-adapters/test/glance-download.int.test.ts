/**
 * Copies inside one OpenStack cloud, against the sandbox's regions cloud (one Keystone, RegionA and
 * RegionB, a Glance in each with glance-download): the destination's Glance pulls the image itself,
 * and Glint checks what it computed; where it cannot, Glint streams.
 */
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { GLINT_MARKERS } from '@glint/core';
import {
  copyImage,
  createAdapter,
  IntegrityError,
  type CloudAdapter,
  type ImageInfo,
} from '@glint/cloud-adapters';
import { countingReads } from '../../../test-support/counting-reads';
import { digestStream, randomImageStream } from '../../../test-support/random-image';
import {
  passwordCredential,
  regionCloud,
  sandboxCloud,
  sandboxOutbound,
  sandboxRegions,
  siteConfig,
  type SandboxCloud,
} from '../../../test-support/sandbox';

const MiB = 1024 * 1024;
const regions = sandboxRegions();
if (!regions)
  throw new Error(
    'the sandbox has no regions cloud; start it with: bash deploy/sandbox/glint-sandbox regions start',
  );
const [regionA, regionB] = [regionCloud(regions, 0), regionCloud(regions, 1)];
const outbound = sandboxOutbound();
const adapterFor = (cloud: SandboxCloud, user: 'demo' | 'admin' = 'demo'): CloudAdapter =>
  createAdapter('openstack', siteConfig(cloud, user), passwordCredential(cloud, user), {
    outbound,
  });
const a = adapterFor(regionA);
const b = adapterFor(regionB);
const bAdmin = adapterFor(regionB, 'admin');
const cloud2 = adapterFor(sandboxCloud(2));
const run = randomUUID().slice(0, 8);
const created: string[] = [];

async function seed(size: number, properties: Record<string, string> = {}): Promise<ImageInfo> {
  const name = `glint-test-${run}-${randomUUID().slice(0, 8)}`;
  created.push(name);
  const image = await a.createImage({
    name,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
    properties,
  });
  await a.uploadImageData(image.id, randomImageStream(size, name), { size });
  return a.getImage(image.id);
}

async function imagesNamed(adapter: CloudAdapter, name: string): Promise<ImageInfo[]> {
  const found: ImageInfo[] = [];
  for await (const image of adapter.listImages({ name })) found.push(image);
  return found;
}

afterAll(async () => {
  for (const name of created)
    for (const adapter of [a, b, bAdmin, cloud2])
      for (const image of await imagesNamed(adapter, name)) await adapter.deleteImage(image.id);
  await Promise.all([a, b, bAdmin, cloud2].map((adapter) => adapter.close()));
});

test('a copy to another region of the same Keystone is made by glance-download, no byte through Glint, and verified', async () => {
  const image = await seed(8 * MiB, { hw_disk_bus: 'virtio', glint_test_owner: 'ops' });
  const source = countingReads(a);

  const result = await copyImage({
    source: { key: 'RegionA', adapter: source.adapter, imageId: image.id },
    destinations: [{ key: 'RegionB', adapter: b }],
  });

  const [copied] = result.destinations;
  expect(copied).toMatchObject({ outcome: 'copied', method: 'glance-download', bytes: 8 * MiB });
  expect(source.opens).toBe(0);
  expect(result.bytesRead).toBe(0);
  const copy = await b.getImage(copied!.imageId!);
  expect(copy.hashValue).toBe(image.hashValue);
  // hw_ comes with the import; the rest Glint sets itself.
  expect(copy.properties).toMatchObject({
    hw_disk_bus: 'virtio',
    glint_test_owner: 'ops',
    [GLINT_MARKERS.sourceSite]: 'RegionA',
    [GLINT_MARKERS.sourceImage]: image.id,
  });
  const { sha512 } = await digestStream((await b.openDownload(copy.id)).stream);
  expect(sha512).toBe(image.hashValue);
});

test('a destination that may not read the source image gets a streamed copy instead', async () => {
  // The admin project cannot see the demo project's private image in RegionA.
  const image = await seed(2 * MiB);

  const result = await copyImage({
    source: { key: 'RegionA', adapter: a, imageId: image.id },
    destinations: [{ key: 'RegionB-admin', adapter: bAdmin }],
  });

  expect(result.destinations[0]).toMatchObject({ outcome: 'copied', method: 'stream' });
  expect(result.bytesRead).toBe(2 * MiB);
});

test('a destination under another Keystone gets a streamed copy, beside a glance-download one', async () => {
  const image = await seed(2 * MiB);

  const result = await copyImage({
    source: { key: 'RegionA', adapter: a, imageId: image.id },
    destinations: [
      { key: 'cloud2', adapter: cloud2 },
      { key: 'RegionB', adapter: b },
    ],
  });

  expect(result.destinations.map((d) => [d.outcome, d.method])).toEqual([
    ['copied', 'stream'],
    ['copied', 'glance-download'],
  ]);
});

test('a copy whose hash differs from the source’s is deleted and the copy fails', async () => {
  const size = 4 * MiB;
  const image = await seed(size);
  // Bit rot in RegionA's store: glance-download copies what is there, and RegionB hashes it.
  const file = await open(join(regionA.storeDir, image.id), 'r+');
  await file.write(Buffer.from('not the bytes Glance hashed'), 0, undefined, size / 2);
  await file.close();

  const result = await copyImage({
    source: { key: 'RegionA', adapter: a, imageId: image.id },
    destinations: [{ key: 'RegionB', adapter: b }],
  });

  const [failed] = result.destinations;
  expect(failed).toMatchObject({ outcome: 'failed', method: 'glance-download' });
  expect(failed!.error).toBeInstanceOf(IntegrityError);
  expect(failed!.error!.message).toMatch(
    /made by glance-download, does not match .*sha512 differs/,
  );
  expect(await imagesNamed(b, image.name)).toEqual([]);
});
