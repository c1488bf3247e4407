/**
 * The transfer engine against the real sandbox clouds: real Keystone tokens, real Glance uploads and
 * downloads, real faults (a Glance stopped mid-copy, a corrupted file in a Glance store).
 */
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { GLINT_MARKERS } from '@glint/core';
import {
  AuthenticationError,
  CancelledError,
  copyFromStream,
  copyImage,
  createAdapter,
  IntegrityError,
  type CloudAdapter,
  type ImageInfo,
  type ImageSpec,
} from '@glint/cloud-adapters';
import { countingReads } from '../../../test-support/counting-reads';
import { digestStream, randomImageStream } from '../../../test-support/random-image';
import {
  passwordCredential,
  sandboxCloud,
  sandboxOutbound,
  sandboxService,
  shortTokenCloud,
  siteConfig,
  withFaultCloud,
  type SandboxCloud,
} from '../../../test-support/sandbox';

const MiB = 1024 * 1024;
const run = randomUUID().slice(0, 8);
const cloudA = sandboxCloud(1);
const cloudB = sandboxCloud(2);
const cloudC = sandboxCloud(3);
/** Reserved for fault injection: only tests that stop its services use it. */
const cloudD = sandboxCloud(4);

const outbound = sandboxOutbound();

function adapterFor(cloud: SandboxCloud): CloudAdapter {
  return createAdapter('openstack', siteConfig(cloud), passwordCredential(cloud), { outbound });
}

const a = adapterFor(cloudA);
const b = adapterFor(cloudB);
const c = adapterFor(cloudC);
const d = adapterFor(cloudD);
/** Names of every image a test made; afterAll removes them from every cloud. */
const created: string[] = [];

/** Uploads `size` random bytes as a new image; returns it with the sha512 of what was sent. */
async function seedImage(
  adapter: CloudAdapter,
  size: number,
  spec: Partial<ImageSpec> = {},
): Promise<{ image: ImageInfo; sha512: string }> {
  const name = spec.name ?? `glint-test-${run}-${randomUUID().slice(0, 8)}`;
  created.push(name);
  const image = await adapter.createImage({
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
    ...spec,
    name,
  });
  await adapter.uploadImageData(image.id, randomImageStream(size, name), { size });
  const { sha512 } = await digestStream(randomImageStream(size, name));
  return { image: await adapter.getImage(image.id), sha512 };
}

/** Hidden ones too: a copy is hidden until verified, and one left so would be a leftover. */
async function imagesNamed(adapter: CloudAdapter, name: string): Promise<ImageInfo[]> {
  const found: ImageInfo[] = [];
  for await (const image of adapter.listImages({ name, includeHidden: true })) found.push(image);
  return found;
}

async function downloadedSha512(adapter: CloudAdapter, id: string): Promise<string> {
  return (await digestStream((await adapter.openDownload(id)).stream)).sha512;
}

afterAll(async () => {
  for (const name of created) {
    for (const adapter of [a, b, c, d]) {
      for (const image of await imagesNamed(adapter, name)) await adapter.deleteImage(image.id);
    }
  }
  await Promise.all([a, b, c, d].map((adapter) => adapter.close()));
});

test('copies a 256 MiB random image A→B and the copy is byte-identical', async () => {
  const { image, sha512 } = await seedImage(a, 256 * MiB);
  expect(image.hashValue).toBe(sha512);

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: 'cloud2', adapter: b }],
  });

  // Both ends are Glances hashing what they hold: comparing them proves the copy, Glint hashes nothing.
  expect(result.destinations).toEqual([
    expect.objectContaining({
      key: 'cloud2',
      outcome: 'copied',
      bytes: 256 * MiB,
      verification: { method: 'ends', algo: 'sha512' },
    }),
  ]);
  expect(result.bytesRead).toBe(256 * MiB);
  expect(result.contentHash).toEqual({ algo: 'sha512', value: sha512 });
  const copyId = result.destinations[0]!.imageId!;
  expect(await downloadedSha512(b, copyId)).toBe(sha512);
});

test('fans out A→B and A→C from one read of the source', async () => {
  const size = 64 * MiB;
  const { image, sha512 } = await seedImage(a, size);
  const source = countingReads(a);
  const reports: number[] = [];

  const result = await copyImage({
    source: { key: 'cloud1', adapter: source.adapter, imageId: image.id },
    destinations: [
      { key: 'cloud2', adapter: b },
      { key: 'cloud3', adapter: c },
    ],
    progressIntervalMs: 0,
    onProgress: (p) => reports.push(p.bytesRead),
  });

  expect(result.destinations.map((d) => d.outcome)).toEqual(['copied', 'copied']);
  expect(source.opens).toBe(1);
  expect(source.bytes).toBe(size);
  expect(await downloadedSha512(b, result.destinations[0]!.imageId!)).toBe(sha512);
  expect(await downloadedSha512(c, result.destinations[1]!.imageId!)).toBe(sha512);
  expect(reports.length).toBeGreaterThan(1);
  expect(reports.at(-1)).toBe(size);
});

test('copies formats, minimums, tags, architecture and custom properties, and marks the copy', async () => {
  const { image } = await seedImage(a, 4 * MiB, {
    diskFormat: 'raw',
    containerFormat: 'bare',
    minDisk: 3,
    minRam: 512,
    tags: ['atlas', 'worker'],
    properties: {
      architecture: 'x86_64',
      os_distro: 'almalinux',
      hw_disk_bus: 'virtio',
      experiment: 'belle2',
    },
  });

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: 'cloud2', adapter: b }],
  });
  const copy = await b.getImage(result.destinations[0]!.imageId!);

  expect(copy).toMatchObject({
    name: image.name,
    diskFormat: 'raw',
    containerFormat: 'bare',
    minDisk: 3,
    minRam: 512,
    visibility: 'private',
    size: 4 * MiB,
    hashValue: image.hashValue,
  });
  expect([...copy.tags].sort()).toEqual(['atlas', 'worker']);
  expect(copy.properties).toMatchObject({
    architecture: 'x86_64',
    os_distro: 'almalinux',
    hw_disk_bus: 'virtio',
    experiment: 'belle2',
    [GLINT_MARKERS.sourceSite]: 'cloud1',
    [GLINT_MARKERS.sourceImage]: image.id,
    [GLINT_MARKERS.contentHash]: `sha512:${image.hashValue}`,
  });
  expect(Object.keys(copy.properties).filter((k) => k.startsWith('os_glance'))).toEqual([]);
});

test('skips a destination that already holds the same name and content', async () => {
  const { image } = await seedImage(a, 2 * MiB);
  const request = {
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: 'cloud2', adapter: b }],
  };
  const first = await copyImage(request);
  const source = countingReads(a);

  const second = await copyImage({
    ...request,
    source: { ...request.source, adapter: source.adapter },
  });

  expect(second.destinations[0]).toMatchObject({
    outcome: 'present',
    imageId: first.destinations[0]!.imageId,
    bytes: 0,
  });
  expect(source.opens).toBe(0);
  expect(await imagesNamed(b, image.name)).toHaveLength(1);
});

test('a destination whose Glance stops midway fails, is cleaned up once back, and the others complete', async () => {
  // Cloud 4 is the one whose services tests stop; they take turns with it.
  await withFaultCloud(cloudD, async () => {
    const size = 256 * MiB;
    const { image, sha512 } = await seedImage(a, size);
    let stopped = false;
    const copy = copyImage({
      source: { key: 'cloud1', adapter: a, imageId: image.id },
      destinations: [
        { key: 'cloud2', adapter: b },
        { key: 'cloud4', adapter: d },
      ],
      rateLimit: 32 * MiB,
      progressIntervalMs: 100,
      onProgress: (p) => {
        if (!stopped && p.bytesRead > 32 * MiB) {
          stopped = true;
          void sandboxService('stop', cloudD, 'glance').then(() =>
            sandboxService('start', cloudD, 'glance'),
          );
        }
      },
    });

    const result = await copy;

    expect(stopped).toBe(true);
    expect(result.destinations[0]).toMatchObject({ key: 'cloud2', outcome: 'copied' });
    expect(result.destinations[1]).toMatchObject({ key: 'cloud4', outcome: 'failed' });
    expect(result.destinations[1]!.leftoverImageId).toBeUndefined();
    expect(await downloadedSha512(b, result.destinations[0]!.imageId!)).toBe(sha512);
    expect(await imagesNamed(d, image.name)).toEqual([]);
  });
});

test('a transfer that outlives the Keystone token still completes', async () => {
  const shortLived = shortTokenCloud(30);
  const destination = adapterFor(shortLived);
  const size = 48 * MiB;
  const rate = 2 * MiB;
  const { image, sha512 } = await seedImage(a, size);
  const started = Date.now();

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: shortLived.name, adapter: destination }],
    rateLimit: rate,
  });

  const seconds = (Date.now() - started) / 1000;
  expect(seconds).toBeGreaterThan(shortLived.tokenExpiration);
  expect(result.destinations[0]).toMatchObject({ outcome: 'copied', bytes: size });
  expect(await downloadedSha512(destination, result.destinations[0]!.imageId!)).toBe(sha512);
  await destination.close();
});

test('a source whose stored data no longer matches its hash: the copy, hashed by its Glance, differs from the source and is deleted', async () => {
  const size = 8 * MiB;
  const { image } = await seedImage(a, size);
  // Bit rot in the source cloud's store: same size, different bytes.
  const file = await open(join(cloudA.storeDir, image.id), 'r+');
  await file.write(Buffer.from('not the bytes Glance hashed'), 0, undefined, size / 2);
  await file.close();

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: 'cloud2', adapter: b }],
  });

  const [outcome] = result.destinations;
  expect(outcome).toMatchObject({ outcome: 'failed' });
  expect(outcome!.error).toBeInstanceOf(IntegrityError);
  expect(outcome!.error!.message).toMatch(
    /does not match the digests the source declares \(md5 differs; sha512 differs\)/,
  );
  expect(await imagesNamed(b, image.name)).toEqual([]);
});

test('a destination with a wrong password fails permanently without touching the others', async () => {
  const { image } = await seedImage(a, 2 * MiB);
  const wrong = createAdapter(
    'openstack',
    siteConfig(cloudC),
    { kind: 'password', username: 'demo', password: 'not-the-password' },
    { outbound },
  );

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [
      { key: 'cloud3', adapter: wrong },
      { key: 'cloud2', adapter: b },
    ],
  });

  expect(result.destinations[0]!.outcome).toBe('failed');
  expect(result.destinations[0]!.error).toBeInstanceOf(AuthenticationError);
  expect(result.destinations[0]!.error!.retryable).toBe(false);
  expect(result.destinations[1]!.outcome).toBe('copied');
  await wrong.close();
});

test('a cancelled copy stops its streams and deletes the half-made images', async () => {
  const { image } = await seedImage(a, 64 * MiB);
  const controller = new AbortController();

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [
      { key: 'cloud2', adapter: b },
      { key: 'cloud3', adapter: c },
    ],
    rateLimit: 16 * MiB,
    signal: controller.signal,
    progressIntervalMs: 50,
    onProgress: (p) => {
      if (p.bytesRead > 8 * MiB) controller.abort();
    },
  });

  for (const destination of result.destinations) {
    expect(destination.outcome).toBe('failed');
    expect(destination.error).toBeInstanceOf(CancelledError);
    expect(destination.bytes).toBeLessThan(64 * MiB);
  }
  expect(await imagesNamed(b, image.name)).toEqual([]);
  expect(await imagesNamed(c, image.name)).toEqual([]);
});

test('a destination that stored other bytes than were sent is caught by its own hash and deleted', async () => {
  const { image } = await seedImage(a, 4 * MiB);
  // A link that flips one byte on the way into Glance: Glint hashes only what it reads, so only
  // Glance's own os_hash_value can tell.
  const damaging = Object.create(b, {
    uploadImageData: {
      value: (id: string, data: Readable, options?: object) => {
        let flipped = false;
        const damaged = data.pipe(
          new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              if (!flipped && chunk.length > 0) {
                chunk = Buffer.from(chunk);
                chunk[0] = chunk[0]! ^ 0xff;
                flipped = true;
              }
              callback(null, chunk);
            },
          }),
        );
        return b.uploadImageData(id, damaged, options);
      },
    },
  }) as CloudAdapter;

  const result = await copyImage({
    source: { key: 'cloud1', adapter: a, imageId: image.id },
    destinations: [{ key: 'cloud2', adapter: damaging }],
  });

  const [outcome] = result.destinations;
  expect(outcome).toMatchObject({ outcome: 'failed' });
  expect(outcome!.error).toBeInstanceOf(IntegrityError);
  expect(outcome!.error!.message).toMatch(/md5 differs; sha512 differs/);
  expect(outcome!.verification).toBeUndefined();
  expect(await imagesNamed(b, image.name)).toEqual([]);
});

test('data from outside any cloud has no digests to compare: it is hashed once on the way, and the copy checked against that', async () => {
  const size = 4 * MiB;
  const name = `glint-test-${run}-${randomUUID().slice(0, 8)}`;
  created.push(name);
  const { sha512 } = await digestStream(randomImageStream(size, name));

  const result = await copyFromStream({
    sourceKey: 'upload',
    sourceName: `${name}.raw`,
    data: randomImageStream(size, name),
    size,
    spec: { name, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    destinations: [{ key: 'cloud2', adapter: b }],
  });

  expect(result.destinations).toEqual([
    expect.objectContaining({
      outcome: 'copied',
      verification: { method: 'hashed', algo: 'sha512' },
    }),
  ]);
  expect(result.contentHash).toEqual({ algo: 'sha512', value: sha512 });
  const copy = await b.getImage(result.destinations[0]!.imageId!);
  expect(copy.hashValue).toBe(sha512);
  expect(copy.properties[GLINT_MARKERS.contentHash]).toBe(`sha512:${sha512}`);
});
