/**
 * Copies inside one OpenStack cloud, against the sandbox's regions cloud (one Keystone, RegionA and
 * RegionB, a Glance in each with glance-download), through the adapter's server-side copy: the
 * destination's Glance pulls the image itself, and Glint checks what it computed; where it cannot,
 * the adapter says so (no copy, or undefined), for the daemon to stream instead.
 */
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { GLINT_MARKERS } from '@glint/core';
import {
  createAdapter,
  DEFAULT_RETRY_POLICIES,
  IntegrityError,
  type ActivationProgress,
  type CloudAdapter,
  type ImageInfo,
} from '@glint/cloud-adapters';
import { watchImage } from '../../../test-support/image-watch';
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

/** The images named so, hidden ones too unless `listedOnly` (what a user's listing shows). */
async function imagesNamed(
  adapter: CloudAdapter,
  name: string,
  listedOnly = false,
): Promise<ImageInfo[]> {
  const found: ImageInfo[] = [];
  for await (const image of adapter.listImages({ name, includeHidden: !listedOnly }))
    found.push(image);
  return found;
}

afterAll(async () => {
  for (const name of created)
    for (const adapter of [a, b, bAdmin, cloud2])
      for (const image of await imagesNamed(adapter, name)) await adapter.deleteImage(image.id);
  await Promise.all([a, b, bAdmin, cloud2].map((adapter) => adapter.close()));
});

/** Runs the server-side copy `to` offers from RegionA, as the daemon does. */
async function pull(
  to: CloudAdapter,
  image: ImageInfo,
  onProgress?: (progress: ActivationProgress) => void,
  name?: string,
  { targetId = randomUUID(), hidden = false } = {},
) {
  const copier = await to.serverSideCopyFrom!(a);
  expect(copier?.method).toBe('glance-download');
  return copier!.run({
    sourceKey: 'RegionA',
    sourceImageId: image.id,
    targetId,
    ...(hidden && { hidden }),
    policy: DEFAULT_RETRY_POLICIES.serverSide,
    ...(onProgress && { onProgress }),
    ...(name && { name }),
  });
}

test('a copy to another region of the same Keystone is made by glance-download and verified', async () => {
  const image = await seed(8 * MiB, { hw_disk_bus: 'virtio', glint_test_owner: 'ops' });
  const stages: ActivationProgress[] = [];

  const copy = (await pull(b, image, (stage) => stages.push(stage)))!;

  expect(copy).toMatchObject({ status: 'active', size: 8 * MiB, hashValue: image.hashValue });
  expect(stages.at(-1)).toEqual({ stage: 'copying', percent: 100 });
  // hw_ comes with the import; the rest Glint sets itself.
  expect((await b.getImage(copy.id)).properties).toMatchObject({
    hw_disk_bus: 'virtio',
    glint_test_owner: 'ops',
    [GLINT_MARKERS.sourceSite]: 'RegionA',
    [GLINT_MARKERS.sourceImage]: image.id,
  });
  const { sha512 } = await digestStream((await b.openDownload(copy.id)).stream);
  expect(sha512).toBe(image.hashValue);
});

test('a copy already made, of the same name and content, is kept rather than pulled again', async () => {
  const image = await seed(2 * MiB);
  const first = (await pull(b, image))!;

  const again = (await pull(b, image))!;

  expect(again.id).toBe(first.id);
  expect((await imagesNamed(b, image.name)).map((i) => i.id)).toEqual([first.id]);
});

test('a copy given a name (a release version’s "NAME (VERSION)") is made under it as a streamed copy is: private, not hidden, never under the source’s name', async () => {
  const image = await seed(2 * MiB);
  const name = `${image.name} (2)`;
  created.push(name);

  const copy = (await pull(b, image, undefined, name))!;

  expect(copy).toMatchObject({ status: 'active', name, visibility: 'private' });
  // Listed by its name: Glance's listings leave os_hidden images out.
  expect((await imagesNamed(b, name, true)).map((i) => i.id)).toEqual([copy.id]);
  expect(await imagesNamed(b, image.name)).toEqual([]);
  // Asked again under the name, the copy made is found, not pulled a second time.
  expect((await pull(b, image, undefined, name))!.id).toBe(copy.id);
});

test('a destination that may not read the source image is turned down, nothing made there', async () => {
  // The admin project cannot see the demo project's private image in RegionA.
  const image = await seed(2 * MiB);

  expect(await pull(bAdmin, image)).toBeUndefined();
  expect(await imagesNamed(bAdmin, image.name)).toEqual([]);
});

test('a destination under another Keystone, in the source’s own region, or whose Glance lists no glance-download has no server-side copy', async () => {
  expect(await cloud2.serverSideCopyFrom!(a)).toBeUndefined();
  const sameRegion = adapterFor(regionA);
  // RegionC's Glance offers only the default import methods.
  const withoutMethod = adapterFor(regionCloud(regions, 2));
  try {
    expect(await sameRegion.serverSideCopyFrom!(a)).toBeUndefined();
    expect(await withoutMethod.serverSideCopyFrom!(a)).toBeUndefined();
  } finally {
    await Promise.all([sameRegion.close(), withoutMethod.close()]);
  }
});

test('a copy whose hash differs from the source’s is deleted and the copy fails', async () => {
  const size = 4 * MiB;
  const image = await seed(size);
  // Bit rot in RegionA's store: glance-download copies what is there, and RegionB hashes it.
  const file = await open(join(regionA.storeDir, image.id), 'r+');
  await file.write(Buffer.from('not the bytes Glance hashed'), 0, undefined, size / 2);
  await file.close();

  const targetId = randomUUID();
  const watch = watchImage(b, targetId, 20);

  const failed = pull(b, image, undefined, undefined, { targetId });

  await expect(failed).rejects.toBeInstanceOf(IntegrityError);
  await expect(failed).rejects.toThrow(/made by glance-download, does not match .*sha512 differs/);
  const sightings = await watch.stop();
  // Glance made it active before the hashes were compared; it was never shown.
  expect(sightings.length).toBeGreaterThan(0);
  expect(sightings.every((s) => s.hidden)).toBe(true);
  expect(await imagesNamed(b, image.name)).toEqual([]);
});

test('a pulled copy is hidden until verified, then shown with its content hash in one request', async () => {
  const image = await seed(16 * MiB);
  const targetId = randomUUID();
  const watch = watchImage(b, targetId, 20);

  const copy = (await pull(b, image, undefined, undefined, { targetId }))!;
  const sightings = await watch.stop();

  expect(copy).toMatchObject({ id: targetId, status: 'active', hidden: false });
  expect(copy.properties[GLINT_MARKERS.contentHash]).toBe(`sha512:${image.hashValue}`);
  const shown = sightings.findIndex((s) => !s.hidden);
  const before = shown === -1 ? sightings : sightings.slice(0, shown);
  expect(before.length).toBeGreaterThan(0);
  expect(before.every((s) => s.hidden)).toBe(true);
});

test('a pulled copy asked to stay hidden (a release’s pre-staged one) stays hidden, marked verified', async () => {
  const image = await seed(2 * MiB);
  const name = `${image.name} (3)`;
  created.push(name);

  const copy = (await pull(b, image, undefined, name, { hidden: true }))!;

  expect(copy).toMatchObject({ status: 'active', name, hidden: true });
  expect(copy.properties[GLINT_MARKERS.contentHash]).toBe(`sha512:${image.hashValue}`);
  expect(await imagesNamed(b, name, true)).toEqual([]);
  // Asked again for a listed copy, the one made is shown rather than pulled a second time.
  expect((await pull(b, image, undefined, name))!).toMatchObject({ id: copy.id, hidden: false });
});
