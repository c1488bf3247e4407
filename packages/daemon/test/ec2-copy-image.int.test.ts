/**
 * EC2 region to region through the whole of Glint: the real API (an EC2 account of three regions
 * beside sandbox cloud1), a real daemon, the S3 server and the EC2 emulator, all through the real
 * AWS SDK. An image of cloud1 is imported into us-east-1, then placed on the two other regions: the
 * planner makes the us-east-1 AMI their source and EC2 copies it itself (CopyImage), no byte read
 * from cloud1 again and nothing staged. The test reads what the emulated AWS holds, and what the
 * matrix and the job history say.
 */
import { randomBytes } from 'node:crypto';
import { GLINT_MARKERS } from '@glint/core';
import { EC2_TAGS, type ImageInfo } from '@glint/cloud-adapters';
import { CloudImages } from '../../../test-support/cloud-images';
import { applyPlacements } from '../../../test-support/test-environment';
import { randomDiskStream } from '../../../test-support/random-image';
import { sandboxCloud } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';
import {
  cellOn as cellOf,
  endedJobs,
  inventoried,
  startEc2System,
  type Ec2System,
} from './ec2-system';

const MiB = 1024 * 1024;
const regions = ['us-east-1', 'us-west-2', 'eu-west-1'] as const;
type Region = (typeof regions)[number];
const copiedTo: Region[] = ['us-west-2', 'eu-west-1'];
const run = `ec2copy-${randomBytes(4).toString('hex')}`;
const named = (what: string) => `${run}-${what}`;
const images = new CloudImages();

let system: Ec2System;
/** The site of each region. */
const regionSite = (region: Region) => system.regionSite[region]!;

beforeAll(async () => {
  // S3 in every region, as AWS has it; only us-east-1 is ever staged in. Copies take long enough
  // for the matrix to be seen showing one.
  system = await startEc2System({
    regions,
    taskTiming: { stepMs: 10 },
    copyTiming: { copyMs: 3000 },
  });
}, 180_000);

afterAll(async () => {
  await system?.close();
  await images.close();
});

/** A raw disk on cloud1 and its logical image, once the inventory found it. */
async function seeded(what: string, size: number): Promise<{ image: ImageInfo; id: string }> {
  const image = await images.upload(
    sandboxCloud(1),
    { name: named(what), diskFormat: 'raw' },
    randomDiskStream(size, named(what)),
    size,
  );
  return { image, id: await inventoried(system, image.name) };
}

const place = (imageId: string, sites: string[]) =>
  applyPlacements(
    system.server,
    system.user,
    sites.map((site) => ({ image: imageId, site, wanted: true })),
  );

const endedCopies = (imageId: string) => endedJobs(system, imageId, 'copy');
const cellOn = (name: string, siteId: string) => cellOf(system, name, siteId);

/** AMIs of a region whose Name tag is the image's. */
const amisOf = (region: Region, name: string) =>
  system.stack.ec2.images(region).filter((ami) => ami.tags.get(EC2_TAGS.name) === name);

/** What a region holds of the image: AMIs and snapshots tagged with its name. */
const leftIn = (region: Region, name: string) => ({
  amis: amisOf(region, name),
  snapshots: system.stack.ec2
    .snapshots(region)
    .filter((snapshot) => snapshot.tags.get(EC2_TAGS.name) === name),
});

describe('an image imported into one region, then placed on two more', () => {
  const size = 6 * MiB + 5;
  let raw: { image: ImageInfo; id: string };
  let sourceAmi: string;

  beforeAll(async () => {
    raw = await seeded('raw', size);
    await place(raw.id, [regionSite('us-east-1')]);
    const [imported] = await endedCopies(raw.id);
    expect([imported!.state, imported!.parts[0]!.method]).toEqual(['succeeded', 'stream']);
    sourceAmi = (await cellOn(raw.image.name, regionSite('us-east-1'))).cloudImageId!;
  }, 180_000);

  test('the planner has EC2 copy the AMI to both regions, in one job, the cells showing the copy', async () => {
    const plan = await place(
      raw.id,
      copiedTo.map((region) => regionSite(region)),
    );
    expect(plan.copies).toEqual([
      {
        imageId: raw.id,
        source: { siteId: regionSite('us-east-1'), cloudImageId: sourceAmi },
        destinations: copiedTo.map((region) => regionSite(region)).sort(),
        bytes: size,
      },
    ]);
    // While EC2 copies, the cell says so.
    await until('a cell to show the copy under way', async () => {
      const cell = await cellOn(raw.image.name, regionSite('us-west-2'));
      return cell.state === 'transferring' && cell.stage === 'copying';
    });

    const jobs = await endedCopies(raw.id);
    const copyJob = jobs.find((job) => job.sourceSiteId === regionSite('us-east-1'))!;
    expect(
      copyJob.parts.map((part) => [part.siteId, part.state, part.method, part.error]).sort(),
    ).toEqual(
      copiedTo.map((region) => [regionSite(region), 'succeeded', 'ec2-copy-image', null]).sort(),
    );
    // cloud1 was read once, for the import; the copies were made inside AWS.
    expect(system.glance.downloads(raw.image.id)).toEqual({ requests: 1, bytes: size });
    const source = system.stack.ec2.image('us-east-1', sourceAmi)!;
    for (const region of copiedTo) {
      const calls = system.stack.ec2
        .calls()
        .filter((call) => call.action === 'CopyImage' && call.region === region && !call.error);
      expect(calls).toHaveLength(1);
      expect(system.stack.ec2.tasks(region)).toEqual([]);
      await expect(
        system.stack.bucketContent(region, system.stack.stagingBucket(region)),
      ).rejects.toMatchObject({
        name: 'NoSuchBucket',
      });

      const cell = await cellOn(raw.image.name, regionSite(region));
      expect(cell).toMatchObject({ state: 'present', wanted: true });
      const [copy] = amisOf(region, raw.image.name);
      expect(copy).toMatchObject({ imageId: cell.cloudImageId, state: 'available' });
      expect(Object.fromEntries(copy!.tags)).toMatchObject({
        [GLINT_MARKERS.contentHash]: source.tags.get(GLINT_MARKERS.contentHash),
        [GLINT_MARKERS.sourceSite]: regionSite('us-east-1'),
        [GLINT_MARKERS.sourceImage]: sourceAmi,
        [EC2_TAGS.size]: String(size),
      });
      const snapshot = system.stack.ec2.snapshot(region, copy!.blockDevices[0]!.snapshotId)!;
      expect(snapshot.diskSha256).toBe(
        system.stack.ec2.snapshot('us-east-1', source.blockDevices[0]!.snapshotId)!.diskSha256,
      );
      expect(snapshot.tags.get(GLINT_MARKERS.sourceImage)).toBe(sourceAmi);
    }
  });

  test('unplacing a copied AMI deregisters it with its snapshots, as any other', async () => {
    const [copy] = amisOf('eu-west-1', raw.image.name);
    const snapshots = copy!.blockDevices.map((device) => device.snapshotId);
    await applyPlacements(system.server, system.user, [
      { image: raw.id, site: regionSite('eu-west-1'), wanted: false },
    ]);
    await until('the delete to end', async () => {
      const cell = await cellOn(raw.image.name, regionSite('eu-west-1'));
      return cell.state === 'missing' && cell;
    });
    expect(system.stack.ec2.image('eu-west-1', copy!.imageId)).toBeUndefined();
    for (const snapshotId of snapshots)
      expect(system.stack.ec2.snapshot('eu-west-1', snapshotId)).toBeUndefined();
    expect(
      system.stack.ec2
        .calls()
        .filter((call) => call.action === 'DeregisterImage' && call.region === 'eu-west-1'),
    ).toHaveLength(1);
  });
});

test('a copy EC2 ends failed fails its job with EC2’s reason on the cell, and leaves no AMI', async () => {
  const failing = await seeded('fails', 2 * MiB);
  await place(failing.id, [regionSite('us-east-1')]);
  await endedCopies(failing.id);
  const reason = 'Server.InternalError: Internal error while copying the snapshots';
  system.stack.ec2.failNextCopy({
    code: 'Server.InternalError',
    message: 'Internal error while copying the snapshots',
  });
  const site = regionSite('us-west-2');
  await place(failing.id, [site]);

  const jobs = await endedCopies(failing.id);
  const copyJob = jobs.find((job) => job.sourceSiteId === regionSite('us-east-1'))!;
  expect(copyJob.state).toBe('failed');
  expect(copyJob.parts[0]).toMatchObject({
    siteId: site,
    state: 'failed',
    method: 'ec2-copy-image',
    error: expect.stringContaining(reason),
  });
  expect(await cellOn(failing.image.name, site)).toMatchObject({
    state: 'error',
    message: expect.stringContaining(reason),
  });
  expect(leftIn('us-west-2', failing.image.name)).toEqual({ amis: [], snapshots: [] });
});

test('a copy cancelled while EC2 copies is stopped: its AMI is deregistered with its snapshots', async () => {
  const cancelled = await seeded('cancelled', 2 * MiB);
  await place(cancelled.id, [regionSite('us-east-1')]);
  await endedCopies(cancelled.id);
  const site = regionSite('eu-west-1');
  const plan = await place(cancelled.id, [site]);
  const jobId = plan.jobs[0]!.id;
  await until('the cell to show the copy under way', async () => {
    const cell = await cellOn(cancelled.image.name, site);
    return cell.state === 'transferring' && cell.stage === 'copying';
  });
  const asked = await system.server.inject({
    method: 'POST',
    url: `/api/v1/jobs/${jobId}/cancel`,
    headers: system.user.headers,
  });
  expect(asked.statusCode).toBe(202);

  const jobs = await endedCopies(cancelled.id);
  expect(jobs.find((job) => job.id === jobId)!.state).toBe('cancelled');
  expect(leftIn('eu-west-1', cancelled.image.name)).toEqual({ amis: [], snapshots: [] });
});
