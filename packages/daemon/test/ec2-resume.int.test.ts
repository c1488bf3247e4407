/**
 * A daemon killed with SIGKILL while it stages an image in S3 for EC2: the daemon started after it
 * takes the job up and carries on with the same multipart upload, sending only the parts S3 does
 * not hold yet. Everything is real: the daemons are processes, S3 is Swift with s3api (its link
 * slowed so the kill lands mid-upload), EC2 the emulator; the parts sent are counted at S3.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { GLINT_MARKERS } from '@glint/core';
import type { ImageInfo } from '@glint/cloud-adapters';
import type { FastifyInstance } from 'fastify';
import { partSizeFor } from '../../cloud-adapters/src/ec2/staging-parts';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  applyPlacements,
  matrixRow,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import {
  bundleDaemon,
  startDaemonProcess,
  stopDaemonProcess,
  type DaemonProcess,
} from '../../../test-support/daemon-process';
import { addEc2Account, startEc2Stack, type Ec2Stack } from '../../../test-support/ec2-stack';
import { randomDiskStream } from '../../../test-support/random-image';
import { sandboxCloud } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';

const MiB = 1024 * 1024;
const region = 'us-east-1';
const run = `ec2r-${randomBytes(4).toString('hex')}`;
/** Ten parts of 5 MiB, the last shorter. */
const size = 48 * MiB + 12_345;
const parts = Math.ceil(size / partSizeFor(size));

const images = new CloudImages();
const daemons: DaemonProcess[] = [];
let stack: Ec2Stack;
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let cloud1: string;
let ec2Site: string;
let source: ImageInfo;
let bundleDir: string;
let daemonScript: string;

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'glint-ec2-resume-'));
  const bundled = bundleDaemon(bundleDir);
  const seeded = images.upload(
    sandboxCloud(1),
    { name: run, diskFormat: 'raw' },
    randomDiskStream(size, run),
    size,
  );
  stack = await startEc2Stack({ regions: [region], taskTiming: { stepMs: 10 } });
  let site: Record<'one', string>;
  ({ env, server, user, site } = await withSites(
    { one: 1 },
    { GLINT_OUTBOUND_ALLOW: stack.outboundAllow },
  ));
  cloud1 = site.one;
  const account = await addEc2Account(server, user, stack, { name: run, regions: [region] });
  ec2Site = account.regions[0]!.siteId;
  source = await seeded;
  daemonScript = await bundled;
}, 240_000);

afterAll(async () => {
  const failures: unknown[] = [];
  const step = (work: () => Promise<unknown>) =>
    work().catch((error: unknown) => void failures.push(error));
  await step(() => Promise.all(daemons.map((daemon) => stopDaemonProcess(daemon, 5_000))));
  await step(() => images.close());
  if (env) await step(() => env.close());
  if (stack) await step(() => stack.close());
  if (bundleDir) await step(() => rm(bundleDir, { recursive: true, force: true }));
  if (failures.length > 0) throw failures[0];
});

/** A daemon process on this file's database and Redis prefix, quick to take up a dead one's job. */
async function startDaemon(): Promise<DaemonProcess> {
  const daemon = await startDaemonProcess(
    daemonScript,
    env.env({
      GLINT_DAEMON_NAME: `${run}-daemon-${daemons.length + 1}`,
      GLINT_DAEMON_LOCK_SECONDS: '5',
      GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
      GLINT_OUTBOUND_ALLOW: stack.outboundAllow,
    }),
  );
  daemons.push(daemon);
  return daemon;
}

interface CopyRow {
  state: string;
  attempts: number;
  error: string | null;
  destination: string;
}

const copyRow = async (imageId: string): Promise<CopyRow> =>
  (
    await env.query<CopyRow & Record<string, unknown>>(
      `SELECT state, attempts, error, payload->'destinations'->0->>'cloudImageId' AS destination
       FROM jobs WHERE operation = 'copy' AND image_id = $1`,
      [imageId],
    )
  )[0]!;

/** The part numbers the open multipart upload of `key` holds, as S3 lists them (one page: < 1000). */
async function partsHeld(bucket: string, key: string): Promise<number[]> {
  const { Uploads } = await stack
    .s3Client(region)
    .send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  const upload = Uploads?.find((u) => u.Key === key);
  if (!upload) return [];
  const { Parts } = await stack
    .s3Client(region)
    .send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: upload.UploadId }));
  return (Parts ?? []).map((part) => part.PartNumber!).sort((a, b) => a - b);
}

/** The UploadPart requests for `key` that reached S3 from `from` on: part number and status. */
const uploadParts = (bucket: string, key: string, from = 0) =>
  stack.s3
    .requests()
    .slice(from)
    .filter((r) => r.method === 'PUT' && r.path === `/${bucket}/${key}` && r.query.has('uploadId'))
    .map((r) => ({ part: Number(r.query.get('partNumber')), status: r.status }));

test('a daemon killed mid-multipart: the next one resumes the upload without sending the parts S3 holds, and the AMI is the source', async () => {
  // At 4 MiB/s a 5 MiB part takes over a second to reach S3: the kill lands between parts or in one.
  stack.s3.throttleUploads(4 * MiB);
  const first = await startDaemon();
  // The daemon takes every site's first inventory as it starts.
  const row = await until(`${run} in the matrix`, async () => {
    const found = await matrixRow(server, user, run);
    return found?.cells.some((c) => c.siteId === cloud1 && c.state === 'unmanaged') && found;
  });
  await applyPlacements(server, user, [{ image: row.id, site: ec2Site, wanted: true }]);
  const { destination } = await copyRow(row.id);
  const bucket = stack.stagingBucket(region);
  const key = `glint/${destination}.disk`;

  await until(
    'three parts in S3',
    async () => (await partsHeld(bucket, key).catch(() => [])).length >= 3,
    60_000,
  );
  first.child.kill('SIGKILL');
  await first.exited;
  // What S3 holds once the killed daemon's last request is over: cut short, or answered in time.
  await until('the requests to S3 to end', async () => stack.s3.requests().every((r) => r.ended));

  // The kill hit the upload mid-way: some parts are in S3, not all, and the job is still running.
  const held = await partsHeld(bucket, key);
  expect(held.length).toBeGreaterThanOrEqual(3);
  expect(held.length).toBeLessThan(parts);
  expect(held).toEqual(Array.from({ length: held.length }, (_, i) => i + 1));
  const beforeRestart = stack.s3.requests().length;
  const sentBefore = uploadParts(bucket, key);
  expect(await copyRow(row.id)).toMatchObject({ state: 'running', attempts: 1 });

  const second = await startDaemon();
  const done = await until(
    'the copy to end',
    async () => {
      const now = await copyRow(row.id);
      return !['queued', 'running'].includes(now.state) && now;
    },
    150_000,
  );
  expect(done).toMatchObject({ state: 'succeeded', attempts: 2, error: null });

  // The second daemon sent exactly the parts S3 did not hold, each once, all accepted.
  const sentAfter = uploadParts(bucket, key, beforeRestart);
  const missing = Array.from({ length: parts }, (_, i) => i + 1).filter((n) => !held.includes(n));
  expect(sentAfter).toEqual(missing.map((part) => ({ part, status: 200 })));
  // Over both daemons: every part accepted once, and only the one in flight at the kill (the
  // first S3 lacked, cut short) sent twice.
  const sent = [...sentBefore, ...sentAfter];
  expect(sent.filter((r) => r.status === 200).map((r) => r.part)).toEqual(
    Array.from({ length: parts }, (_, i) => i + 1),
  );
  const cut = sent.filter((r) => r.status !== 200).map((r) => r.part);
  expect([[], [missing[0]]]).toContainEqual(cut);
  expect(sent).toHaveLength(parts + cut.length);

  // The AMI: tagged with Glint's markers, its disk the source's bytes.
  const [ami, ...others] = stack.ec2.images(region);
  expect(others).toEqual([]);
  expect(Object.fromEntries(ami!.tags)).toMatchObject({
    Name: run,
    glint_copy_id: destination,
    glint_size: String(size),
    [GLINT_MARKERS.sourceSite]: cloud1,
    [GLINT_MARKERS.sourceImage]: source.id,
    [GLINT_MARKERS.contentHash]: `sha512:${source.hashValue}`,
  });
  const sha256 = createHash('sha256');
  for await (const chunk of randomDiskStream(size, run)) sha256.update(chunk as Buffer);
  expect(stack.ec2.snapshot(region, ami!.blockDevices[0]!.snapshotId)).toMatchObject({
    diskSize: size,
    diskSha256: sha256.digest('hex'),
  });
  const cell = (await matrixRow(server, user, run)).cells.find((c) => c.siteId === ec2Site);
  expect(cell).toMatchObject({ state: 'present', cloudImageId: ami!.imageId });

  // Nothing staged is left: no object, no open upload.
  expect(await stack.bucketContent(region, bucket)).toEqual({ objects: [], uploads: [] });
  await stopDaemonProcess(second);
});
