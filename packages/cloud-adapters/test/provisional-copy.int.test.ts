/**
 * A copy is invisible until it is verified, against the real sandbox clouds: Glance makes a copy
 * active (bootable, listed) before Glint compared its digests with the source's, so every copy is
 * created hidden (os_hidden) and shown only once it matched; a corrupt one is deleted without ever
 * having been shown. A copy asked to stay hidden (a release's) stays hidden, and a later copy that
 * wants it listed shows it rather than copying it again.
 */
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { GLINT_MARKERS } from '@glint/core';
import {
  copyFromStream,
  copyImage,
  createAdapter,
  IntegrityError,
  NotFoundError,
  type CloudAdapter,
  type ImageInfo,
} from '@glint/cloud-adapters';
import { watchImage, type Sighting } from '../../../test-support/image-watch';
import { digestStream, randomImageStream } from '../../../test-support/random-image';
import {
  passwordCredential,
  sandboxCloud,
  sandboxOutbound,
  siteConfig,
  type SandboxCloud,
} from '../../../test-support/sandbox';

const MiB = 1024 * 1024;
const run = randomUUID().slice(0, 8);
const cloudA = sandboxCloud(1);
const outbound = sandboxOutbound();
const adapterFor = (cloud: SandboxCloud): CloudAdapter =>
  createAdapter('openstack', siteConfig(cloud), passwordCredential(cloud), { outbound });
const a = adapterFor(cloudA);
const b = adapterFor(sandboxCloud(2));
const created: string[] = [];

const newName = () => {
  const name = `glint-test-${run}-${randomUUID().slice(0, 8)}`;
  created.push(name);
  return name;
};

async function seedImage(size: number): Promise<ImageInfo> {
  const name = newName();
  const image = await a.createImage({
    name,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
  });
  await a.uploadImageData(image.id, randomImageStream(size, name), { size });
  return a.getImage(image.id);
}

/** The images named so, hidden ones too unless `listedOnly` (what a user's listing shows). */
async function imagesNamed(adapter: CloudAdapter, name: string, listedOnly = false) {
  const found: ImageInfo[] = [];
  for await (const image of adapter.listImages({ name, includeHidden: !listedOnly }))
    found.push(image);
  return found;
}

/** What the watcher saw before it first saw the image shown; once shown, it stays so. */
function untilShown(sightings: Sighting[]): Sighting[] {
  const shown = sightings.findIndex((s) => !s.hidden);
  expect(sightings.slice(shown === -1 ? sightings.length : shown).every((s) => !s.hidden)).toBe(
    true,
  );
  return shown === -1 ? sightings : sightings.slice(0, shown);
}

afterAll(async () => {
  for (const name of created)
    for (const adapter of [a, b])
      for (const image of await imagesNamed(adapter, name)) await adapter.deleteImage(image.id);
  await Promise.all([a.close(), b.close()]);
});

test('a streamed copy is hidden while it is written and until verified, then shown with its content hash in one request', async () => {
  const image = await seedImage(16 * MiB);
  const id = randomUUID();
  const watch = watchImage(b, id);
  let listedMidway: Promise<ImageInfo[]> | undefined;

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: 'cloud2', adapter: b, imageId: id }],
    // Slow enough to be watched while the upload runs.
    rateLimit: 8 * MiB,
    progressIntervalMs: 100,
    onProgress: (progress) => {
      if (progress.bytesRead > 8 * MiB) listedMidway ??= imagesNamed(b, image.name, true);
    },
  });
  const sightings = await watch.stop();

  expect(result.destinations[0]).toMatchObject({ outcome: 'copied', imageId: id });
  expect(sightings.length).toBeGreaterThan(0);
  expect(sightings.filter((s) => s.status === 'saving').length).toBeGreaterThan(0);
  // Whatever the watcher saw before the copy was verified was hidden.
  const before = untilShown(sightings);
  expect(before.every((s) => s.hidden)).toBe(true);
  expect(before.some((s) => s.status !== 'active')).toBe(true);
  expect(await listedMidway).toEqual([]);
  const copy = await b.getImage(id);
  expect(copy).toMatchObject({ status: 'active', hidden: false, hashValue: image.hashValue });
  expect(copy.properties[GLINT_MARKERS.contentHash]).toBe(`sha512:${image.hashValue}`);
  expect((await imagesNamed(b, image.name, true)).map((i) => i.id)).toEqual([id]);
});

test('a copy whose Glance hashed other bytes than the source declares is deleted without ever having been shown', async () => {
  const size = 8 * MiB;
  const image = await seedImage(size);
  // Bit rot in the source cloud's store: Glance activates the copy, and only then do the digests
  // tell. It was hidden all along.
  const file = await open(join(cloudA.storeDir, image.id), 'r+');
  await file.write(Buffer.from('not the bytes Glance hashed'), 0, undefined, size / 2);
  await file.close();
  const id = randomUUID();
  const watch = watchImage(b, id, 20);

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: 'cloud2', adapter: b, imageId: id }],
    rateLimit: 16 * MiB,
  });
  const sightings = await watch.stop();

  expect(result.destinations[0]).toMatchObject({ outcome: 'failed' });
  expect(result.destinations[0]!.error).toBeInstanceOf(IntegrityError);
  expect(sightings.length).toBeGreaterThan(0);
  expect(sightings.every((s) => s.hidden)).toBe(true);
  await expect(b.getImage(id)).rejects.toBeInstanceOf(NotFoundError);
  expect(await imagesNamed(b, image.name)).toEqual([]);
});

test('a copy asked to stay hidden stays hidden once verified; a later copy that wants it listed shows it instead of copying again', async () => {
  const image = await seedImage(2 * MiB);
  const name = `${image.name} (1)`;
  created.push(name);
  const request = {
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: 'cloud2', adapter: b }],
    name,
  };

  const first = await copyImage({ ...request, hidden: true });
  const id = first.destinations[0]!.imageId!;
  expect(first.destinations[0]).toMatchObject({ outcome: 'copied' });
  const kept = await b.getImage(id);
  expect(kept).toMatchObject({ status: 'active', hidden: true });
  // Verified, hence marked: a hidden copy without the marker would be a leftover.
  expect(kept.properties[GLINT_MARKERS.contentHash]).toBe(`sha512:${image.hashValue}`);
  expect(await imagesNamed(b, name, true)).toEqual([]);

  const again = await copyImage({ ...request, hidden: true });
  expect(again.destinations[0]).toMatchObject({ outcome: 'present', imageId: id });
  expect((await b.getImage(id)).hidden).toBe(true);

  const listed = await copyImage(request);
  expect(listed.destinations[0]).toMatchObject({ outcome: 'present', imageId: id });
  expect((await imagesNamed(b, name, true)).map((i) => [i.id, i.hidden])).toEqual([[id, false]]);
});

test('a hidden image of the same name and content that Glint did not verify is not taken for the copy', async () => {
  const image = await seedImage(2 * MiB);
  // Someone's own hidden image, or a copy cut short before it was verified: no content-hash marker.
  const theirs = await b.createImage({
    name: image.name,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
    hidden: true,
  });
  await b.uploadImageData(theirs.id, randomImageStream(2 * MiB, image.name), { size: 2 * MiB });

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: 'cloud2', adapter: b }],
  });

  expect(result.destinations[0]).toMatchObject({ outcome: 'copied' });
  expect(result.destinations[0]!.imageId).not.toBe(theirs.id);
  expect((await b.getImage(theirs.id)).hidden).toBe(true);
});

test('data from outside any cloud is hidden until verified too', async () => {
  const size = 8 * MiB;
  const name = newName();
  const id = randomUUID();
  const { sha512 } = await digestStream(randomImageStream(size, name));
  const watch = watchImage(b, id);

  const result = await copyFromStream({
    sourceKey: 'upload',
    sourceName: `${name}.raw`,
    data: randomImageStream(size, name),
    size,
    rateLimit: 8 * MiB,
    spec: { name, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    destinations: [{ key: 'cloud2', adapter: b, imageId: id }],
  });
  const sightings = await watch.stop();

  expect(result.destinations[0]).toMatchObject({ outcome: 'copied', imageId: id });
  const before = untilShown(sightings);
  expect(before.length).toBeGreaterThan(0);
  expect(before.every((s) => s.hidden)).toBe(true);
  const copy = await b.getImage(id);
  expect(copy).toMatchObject({ hidden: false, hashValue: sha512 });
  expect(copy.properties[GLINT_MARKERS.contentHash]).toBe(`sha512:${sha512}`);
});
