/**
 * EC2 through the whole of Glint: the real API (an EC2 account added with POST /api/v1/accounts,
 * its regions sites beside sandbox cloud1), a real daemon, the S3 server and the EC2 emulator.
 * Images seeded in cloud1's Glance are placed on EC2 regions through the API; the test then reads
 * what AWS (the emulator and S3) holds, how often cloud1's Glance was read, and what the matrix
 * and the jobs say.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GLINT_MARKERS } from '@glint/core';
import type { ImageInfo } from '@glint/cloud-adapters';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../../test-support/cloud-images';
import { applyPlacements, type Session } from '../../../test-support/test-environment';
import type { Matrix } from '../../api/src/schemas/matrix';
import type { Ec2Stack } from '../../../test-support/ec2-stack';
import type { ImageReadCounter } from '../../../test-support/image-read-counter';
import { randomDisk, randomDiskStream } from '../../../test-support/random-image';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  cellOn as cellOf,
  endedJobs as ended,
  inventoried as inventoriedIn,
  startEc2System,
  type Ec2System,
} from './ec2-system';

const MiB = 1024 * 1024;
const regions = ['us-east-1', 'eu-west-1'] as const;
type Region = (typeof regions)[number];
const run = `ec2-${randomBytes(4).toString('hex')}`;
const named = (what: string) => `${run}-${what}`;
const images = new CloudImages();

let system: Ec2System;
let stack: Ec2Stack;
let server: FastifyInstance;
let user: Session;
let glance: ImageReadCounter;
/** The operator's GLINT_CONVERSION_DIR, where the daemon converts qcow2 images. */
let conversionDir: string;
let cloud1: string;
const regionSite = {} as Record<Region, string>;

beforeAll(async () => {
  conversionDir = await mkdtemp(join(tmpdir(), 'glint-ec2-conversion-'));
  system = await startEc2System({
    regions,
    taskTiming: { stepMs: 10 },
    daemonEnv: { GLINT_CONVERSION_DIR: conversionDir },
  });
  ({ stack, server, user, glance, cloud1 } = system);
  for (const region of regions) regionSite[region] = system.regionSite[region]!;
}, 180_000);

afterAll(async () => {
  await system?.close();
  await images.close();
  await rm(conversionDir, { recursive: true, force: true });
});

const sha256Of = async (data: AsyncIterable<Buffer>) => {
  const hash = createHash('sha256');
  for await (const chunk of data) hash.update(chunk);
  return hash.digest('hex');
};

/** A raw image on cloud1 of `size` bytes from `seed`, a disk VM Import takes (it has an MBR). */
const seedDisk = (name: string, seed: string, size: number) =>
  images.upload(sandboxCloud(1), { name, diskFormat: 'raw' }, randomDiskStream(size, seed), size);

/** An image seeded on cloud1 with its logical image, once the inventory found it. */
const inventoried = async (image: ImageInfo) => ({
  image,
  id: await inventoriedIn(system, image.name),
});

/** Says where the image is (un)wanted, as the panel would; returns the plan applied. */
const place = (imageId: string, sites: string[], wanted: boolean) =>
  applyPlacements(
    server,
    user,
    sites.map((site) => ({ image: imageId, site, wanted })),
  );

/** The destinations of the image's jobs of one kind (each with its job's id), once all ended. */
const endedJobs = async (imageId: string, operation: 'copy' | 'delete') =>
  (await ended(system, imageId, operation)).flatMap((job) =>
    job.parts.map((part) => ({ jobId: job.id, ...part })),
  );

const cellOn = (name: string, siteId: string) => cellOf(system, name, siteId);

/** What Glint left in the region's staging bucket: objects and unfinished multipart uploads. */
const stagingLeft = (region: Region) => stack.bucketContent(region, stack.stagingBucket(region));

const nothingStaged = { objects: [], uploads: [] };

describe('a raw image placed on two EC2 regions', () => {
  // More than two of S3's 5 MiB parts, and not a whole number of them.
  const size = 11 * MiB + 123;
  const seed = named('raw');
  let raw: { image: ImageInfo; id: string };
  let amis: Record<Region, string>;

  beforeAll(async () => {
    raw = await inventoried(await seedDisk(named('raw'), seed, size));
  });

  test('is copied with one read of the source; both AMIs carry the markers and the source bytes', async () => {
    const plan = await place(raw.id, [regionSite['us-east-1'], regionSite['eu-west-1']], true);
    expect(plan.copies).toEqual([
      {
        imageId: raw.id,
        source: { siteId: cloud1, cloudImageId: raw.image.id },
        destinations: [regionSite['us-east-1'], regionSite['eu-west-1']].sort(),
        bytes: size,
      },
    ]);

    const jobs = await endedJobs(raw.id, 'copy');
    expect(jobs.map((job) => [job.state, job.error])).toEqual([
      ['succeeded', null],
      ['succeeded', null],
    ]);
    // One queue job fanned out to both regions, and Glance served the image's data once.
    expect(new Set(jobs.map((job) => job.jobId)).size).toBe(1);
    expect(glance.downloads(raw.image.id)).toEqual({ requests: 1, bytes: size });

    const sourceSha256 = await sha256Of(randomDiskStream(size, seed));
    amis = {} as Record<Region, string>;
    for (const region of regions) {
      const amiId = (await cellOn(raw.image.name, regionSite[region])).cloudImageId!;
      const ami = stack.ec2.image(region, amiId);
      expect(ami).toBeDefined();
      amis[region] = amiId;
      expect(Object.fromEntries(ami!.tags)).toMatchObject({
        Name: raw.image.name,
        [GLINT_MARKERS.contentHash]: `${raw.image.hashAlgo}:${raw.image.hashValue}`,
        [GLINT_MARKERS.sourceSite]: cloud1,
        [GLINT_MARKERS.sourceImage]: raw.image.id,
      });
      // The emulator hashed the S3 object when the import read it, before Glint removed it.
      const [disk] = ami!.blockDevices;
      expect(stack.ec2.snapshot(region, disk!.snapshotId)).toMatchObject({
        diskSize: size,
        diskSha256: sourceSha256,
      });
      expect(await stagingLeft(region)).toEqual(nothingStaged);
    }
  });

  test('the matrix shows the EC2 regions as columns beside cloud1, the image held in all three', async () => {
    const response = await server.inject({
      url: `/api/v1/matrix?name=${raw.image.name}`,
      headers: { cookie: user.cookie },
    });
    const matrix = response.json<Matrix>();
    expect(matrix.columns).toEqual(
      expect.arrayContaining([
        { id: cloud1, name: 'cloud1', type: 'openstack', region: 'Region1', labels: {} },
        {
          id: regionSite['us-east-1'],
          name: 'aws/us-east-1',
          type: 'ec2',
          region: 'us-east-1',
          labels: {},
        },
        {
          id: regionSite['eu-west-1'],
          name: 'aws/eu-west-1',
          type: 'ec2',
          region: 'eu-west-1',
          labels: {},
        },
      ]),
    );
    expect(matrix.rows).toHaveLength(1);
    const cells = Object.fromEntries(matrix.rows[0]!.cells.map((cell) => [cell.siteId, cell]));
    // The original was uploaded outside Glint, so it carries no markers: held, but unmanaged.
    expect(cells[cloud1]).toMatchObject({ state: 'unmanaged', cloudImageId: raw.image.id });
    for (const region of regions)
      expect(cells[regionSite[region]]).toMatchObject({
        state: 'present',
        wanted: true,
        cloudImageId: amis[region],
      });
  });

  test('unplacing it from both regions deregisters the AMIs and deletes their snapshots', async () => {
    const snapshots = Object.fromEntries(
      regions.map((region) => [
        region,
        stack.ec2.image(region, amis[region])!.blockDevices.map((d) => d.snapshotId),
      ]),
    );
    const plan = await place(raw.id, [regionSite['us-east-1'], regionSite['eu-west-1']], false);
    expect(plan.deletes).toEqual(
      expect.arrayContaining(
        regions.map((region) => ({
          imageId: raw.id,
          siteId: regionSite[region],
          cloudImageId: amis[region],
        })),
      ),
    );
    expect(plan.deletes).toHaveLength(2);

    const jobs = await endedJobs(raw.id, 'delete');
    expect(jobs.map((job) => [job.state, job.error])).toEqual([
      ['succeeded', null],
      ['succeeded', null],
    ]);
    for (const region of regions) {
      expect(stack.ec2.image(region, amis[region])).toBeUndefined();
      expect(snapshots[region]).not.toHaveLength(0);
      for (const snapshotId of snapshots[region]!)
        expect(stack.ec2.snapshot(region, snapshotId)).toBeUndefined();
      expect(await stagingLeft(region)).toEqual(nothingStaged);
      expect(await cellOn(raw.image.name, regionSite[region])).toMatchObject({
        state: 'missing',
        wanted: false,
      });
    }
    expect(await cellOn(raw.image.name, cloud1)).toMatchObject({ cloudImageId: raw.image.id });
  });
});

test('a qcow2 image is converted to a stream-optimized VMDK in GLINT_CONVERSION_DIR, imported as the raw disk it holds, and the directory emptied', async () => {
  const work = await mkdtemp(join(tmpdir(), 'glint-ec2-qcow2-'));
  let watcher: FSWatcher | undefined;
  try {
    const rawPath = join(work, 'disk.raw');
    const qcow2Path = join(work, 'disk.qcow2');
    await writeFile(rawPath, randomDisk(6 * MiB));
    await promisify(execFile)('qemu-img', [
      'convert',
      '-f',
      'raw',
      '-O',
      'qcow2',
      rawPath,
      qcow2Path,
    ]);
    const rawSha256 = createHash('sha256')
      .update(await readFile(rawPath))
      .digest('hex');
    const qcow2Size = (await stat(qcow2Path)).size;
    const qcow2 = await inventoried(
      await images.upload(
        sandboxCloud(1),
        { name: named('qcow2'), diskFormat: 'qcow2' },
        createReadStream(qcow2Path),
        qcow2Size,
      ),
    );

    // What the daemon makes in the staging dir while it converts.
    const staged: string[] = [];
    watcher = watch(conversionDir, (_event, file) => file && staged.push(file));
    const site = regionSite['us-east-1'];
    await place(qcow2.id, [site], true);
    const [job] = await endedJobs(qcow2.id, 'copy');
    expect([job!.state, job!.error]).toEqual(['succeeded', null]);

    const amiId = (await cellOn(qcow2.image.name, site)).cloudImageId!;
    const [disk] = stack.ec2.image('us-east-1', amiId)!.blockDevices;
    expect(stack.ec2.snapshot('us-east-1', disk!.snapshotId)).toMatchObject({
      diskSize: 6 * MiB,
      diskSha256: rawSha256,
    });
    const [task] = stack.ec2.tasks('us-east-1').filter((t) => t.imageId === amiId);
    expect(task).toMatchObject({ format: 'VMDK' });
    expect(staged.some((file) => file.startsWith('glint-qcow2-'))).toBe(true);
    expect(await readdir(conversionDir)).toEqual([]);
    expect(await stagingLeft('us-east-1')).toEqual(nothingStaged);
  } finally {
    watcher?.close();
    await rm(work, { recursive: true, force: true });
  }
});

test('an import VM Import gives up on fails its job with AWS’s reason, and leaves no staging object or AMI', async () => {
  const failing = await inventoried(await seedDisk(named('fails'), named('fails'), MiB));
  const reason = 'ClientError: Unknown OS / Missing OS files.';
  stack.ec2.failNextTask(reason);
  const site = regionSite['eu-west-1'];
  await place(failing.id, [site], true);

  const [job] = await endedJobs(failing.id, 'copy');
  expect(job!.state).toBe('failed');
  expect(job!.error).toContain(reason);
  expect(await cellOn(failing.image.name, site)).toMatchObject({
    state: 'error',
    message: expect.stringContaining(reason),
  });
  const tasks = stack.ec2.tasks('eu-west-1').filter((task) => task.status === 'deleted');
  expect(tasks.map((task) => task.statusMessage)).toContain(reason);
  const amis = stack.ec2
    .images('eu-west-1')
    .filter((ami) => ami.tags.get('Name') === failing.image.name);
  expect(amis).toEqual([]);
  expect(await stagingLeft('eu-west-1')).toEqual(nothingStaged);
});
