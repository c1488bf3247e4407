/**
 * The EC2 adapter against the real S3 server (Swift's s3api) and the EC2 emulator, one of each for
 * the whole file: copies through the transfer engine in both import modes, and the failures an
 * operator meets (bad keys, throttling, a missing service role, a region not enabled, an import
 * VM Import gives up on, a copy deleted mid-upload), each checked for what it leaves behind. The
 * emulated vmimport role has the policy the README documents. The tests marked "#13 item N" hold
 * the adapter to AWS's behaviour as issue 13 lists it.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { EC2Client, ImportImageCommand } from '@aws-sdk/client-ec2';
import { GLINT_MARKERS, OutboundPolicy, type Ec2AccountSettings } from '@glint/core';
import { noPartitionsMessage, TASK_PAGE_SIZE } from '../../../test-support/ec2-emulator';
import { startEc2Stack, type Ec2Stack } from '../../../test-support/ec2-stack';
import { randomDisk } from '../../../test-support/random-image';
import type { S3Request } from '../../../test-support/s3-server';
import { until } from '../../../test-support/until';
import {
  AddressRefusedError,
  AuthenticationError,
  CancelledError,
  copyFromStream,
  EC2_PROPERTIES,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  TransientError,
  type CopyResult,
  type ImageSpec,
} from '../src';
import { Ec2Adapter } from '../src/ec2/adapter';
import { oneBucketImportPolicy, readmePolicies } from './readme-iam-policies';

const MiB = 1024 * 1024;
const regions = ['us-east-1', 'eu-west-1'];
const region = regions[0]!;
/** A role the account's keys may assume, beside VM Import's. */
const operatorRole = 'glint-operator';
/** A VM Import role whose policy is AWS's sample: one bucket named, not Glint's. */
const narrowImportRole = 'vmimport-one-bucket';
let stack: Ec2Stack;
const adapters: Ec2Adapter[] = [];
/** The operator's conversion directory, and files the tests make. */
let work: string;
const run = promisify(execFile);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'glint-ec2-adapter-'));
  stack = await startEc2Stack({
    regions,
    roles: ['vmimport', operatorRole, narrowImportRole],
    rolePolicies: {
      vmimport: readmePolicies().vmimport,
      [narrowImportRole]: oneBucketImportPolicy('disk-image-bucket'),
    },
    taskTiming: { stepMs: 10 },
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(adapters.map((adapter) => adapter.close()));
  await stack?.close();
  await rm(work, { recursive: true, force: true });
});

const adapterFor = (
  siteRegion: string,
  settings: Ec2AccountSettings = {},
  secretAccessKey = stack.credential.secretAccessKey,
) => {
  const adapter = new Ec2Adapter(
    { type: 'ec2', region: siteRegion, ...stack.settings, ...settings },
    { ...stack.credential, secretAccessKey },
    { outbound: OutboundPolicy.fromSetting(stack.outboundAllow), conversionDir: work },
  );
  adapters.push(adapter);
  return adapter;
};

const newCopyId = () => `copy-${randomBytes(4).toString('hex')}`;

/** An adapter of `siteRegion` with a copy of `diskFormat` created on it, no data sent yet. */
async function createdCopy(siteRegion: string, name: string, diskFormat = 'raw') {
  const adapter = adapterFor(siteRegion);
  const copyId = newCopyId();
  await adapter.createImage({
    id: copyId,
    name,
    diskFormat,
    containerFormat: 'bare',
    visibility: 'private',
  });
  return { adapter, copyId };
}
const stagingKey = (copyId: string) => `glint/${copyId}.disk`;

/** Streams `data` as an image (raw unless `spec` says) through the transfer engine, one adapter per copy id. */
const copyImage = (
  data: Buffer,
  spec: Partial<ImageSpec> & { name: string },
  targets: Array<[Ec2Adapter, string]>,
) =>
  copyFromStream({
    sourceKey: 'upload',
    sourceName: `${spec.name}.raw`,
    data: Readable.from([data]),
    size: data.length,
    spec: { diskFormat: 'raw', containerFormat: 'bare', visibility: 'private', ...spec },
    destinations: targets.map(([adapter, imageId], i) => ({ key: `d${i}`, adapter, imageId })),
  });
const copyRaw = (data: Buffer, name: string, targets: Array<[Ec2Adapter, string]>) =>
  copyImage(data, { name }, targets);

/** What a failed copy left in the region: its staged data, its AMIs, its import tasks. */
async function leftovers(copyId: string) {
  const content = await stack.bucketContent(region, stack.stagingBucket(region));
  const key = stagingKey(copyId);
  return {
    objects: content.objects.filter((k) => k === key),
    uploads: content.uploads.filter((k) => k === key),
    amis: stack.ec2
      .images(region)
      .filter((image) => image.tags.get('glint_copy_id') === copyId)
      .map((image) => image.imageId),
    running: stack.ec2
      .tasks(region)
      .filter((task) => task.clientToken === copyId && task.status === 'active'),
  };
}
const nothingLeft = { objects: [], uploads: [], amis: [], running: [] };

/** Whether anything of the copy reached AWS: a request for its staging object, an import task. */
const touchedAws = (copyId: string, r = region) => ({
  s3Requests: stack.s3.requests().filter((q) => q.path.endsWith(`/${stagingKey(copyId)}`)).length,
  tasks: stack.ec2.tasks(r).filter((task) => task.clientToken === copyId).length,
});
const untouched = { s3Requests: 0, tasks: 0 };

/** The AMI and import task a copy made in `r`. */
const madeBy = (copyId: string, r = region) => ({
  ami: stack.ec2.images(r).find((image) => image.tags.get('glint_copy_id') === copyId),
  task: stack.ec2.tasks(r).find((task) => task.clientToken === copyId),
});

const failureOf = (result: CopyResult) => {
  const [destination] = result.destinations;
  expect(destination).toMatchObject({ outcome: 'failed' });
  expect(destination!.leftoverImageId).toBeUndefined();
  return destination!.error!;
};

test('a raw image streams to two emulated regions (S3 server + EC2 emulator); the AMIs are tagged, the imported disks hash as the source', async () => {
  const data = randomDisk(12 * MiB + 123);
  const targets = regions.map((r) => [adapterFor(r), newCopyId()] as [Ec2Adapter, string]);
  const result = await copyRaw(data, 'ec2-raw', targets);
  expect(result.destinations.map((d) => [d.outcome, d.error?.message])).toEqual([
    ['copied', undefined],
    ['copied', undefined],
  ]);
  const sha256 = createHash('sha256').update(data).digest('hex');
  for (const [i, r] of regions.entries()) {
    const amiId = (await targets[i]![0].getImage(result.destinations[i]!.imageId!)).id;
    const ami = stack.ec2.image(r, amiId)!;
    const tags = Object.fromEntries(ami.tags);
    expect(tags).toMatchObject({
      Name: 'ec2-raw',
      [GLINT_MARKERS.sourceSite]: 'upload',
      [GLINT_MARKERS.contentHash]: `sha512:${createHash('sha512').update(data).digest('hex')}`,
      glint_size: String(data.length),
    });
    const snapshots = stack.ec2.snapshots(r);
    expect(snapshots.map((s) => s.diskSha256)).toContain(sha256);
  }
}, 240_000);

test('importMode snapshot: ImportSnapshot then RegisterImage make an AMI of the imported snapshot, both tagged, the staging object removed', async () => {
  const data = randomDisk(6 * MiB + 77);
  const copyId = newCopyId();
  const callsBefore = stack.ec2.calls().length;
  const result = await copyRaw(data, 'ec2-snapshot-mode', [
    [adapterFor(region, { importMode: 'snapshot' }), copyId],
  ]);
  expect(result.destinations.map((d) => [d.outcome, d.error?.message])).toEqual([
    ['copied', undefined],
  ]);
  const actions = stack.ec2
    .calls()
    .slice(callsBefore)
    .filter((c) => !c.error)
    .map((c) => c.action);
  expect(actions).toEqual(expect.arrayContaining(['ImportSnapshot', 'RegisterImage']));
  expect(actions).not.toContain('ImportImage');

  const [task] = stack.ec2.tasks(region).filter((t) => t.clientToken === copyId);
  expect(task).toMatchObject({ kind: 'snapshot', status: 'completed' });
  const snapshot = stack.ec2.snapshot(region, task!.snapshotId!)!;
  expect(snapshot).toMatchObject({
    diskSize: data.length,
    diskSha256: createHash('sha256').update(data).digest('hex'),
  });
  const [ami] = stack.ec2
    .images(region)
    .filter((image) => image.tags.get('glint_copy_id') === copyId);
  expect(ami!.blockDevices.map((device) => device.snapshotId)).toEqual([snapshot.snapshotId]);
  const markers = {
    Name: 'ec2-snapshot-mode',
    glint_copy_id: copyId,
    [GLINT_MARKERS.sourceSite]: 'upload',
    [GLINT_MARKERS.sourceImage]: 'ec2-snapshot-mode.raw',
    [GLINT_MARKERS.contentHash]: `sha512:${createHash('sha512').update(data).digest('hex')}`,
  };
  expect(Object.fromEntries(ami!.tags)).toMatchObject(markers);
  expect(Object.fromEntries(snapshot.tags)).toMatchObject(markers);
  expect(await leftovers(copyId)).toEqual({ ...nothingLeft, amis: [ami!.imageId] });
}, 120_000);

test('bad keys are a permanent authentication error saying to check them', async () => {
  const adapter = adapterFor(region, {}, 'not-the-secret');
  const error = await adapter.validate().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).retryable).toBe(false);
  expect((error as Error).message).toMatch(/check the access key id and secret/);
});

test('an S3 endpoint outside the outbound policy (Redis on loopback) is refused before any connection, for good', async () => {
  const adapter = adapterFor(region, {
    endpoints: { ...stack.endpoints, s3: 'http://127.0.0.1:6379' },
  });
  const error = await adapter
    .createImage({
      name: 'refused',
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AddressRefusedError);
  expect((error as AddressRefusedError).retryable).toBe(false);
  expect((error as Error).message).toMatch(
    /^preparing the staging bucket in us-east-1 was not attempted: the address 127\.0\.0\.1 is a loopback address.*GLINT_OUTBOUND_ALLOW/,
  );
});

/** The EC2 calls made since `from`: which, where, and how they ended. */
const ec2CallsSince = (from: number) =>
  stack.ec2
    .calls()
    .slice(from)
    .filter((c) => c.service === 'ec2')
    .map((c) => [c.action, c.region, c.error]);

test('a region the account has not enabled, where EC2 answers AuthFailure as to bad keys, is reported not enabled from DescribeRegions asked in us-east-1, before the region is called (#13 item 1)', async () => {
  const from = stack.ec2.calls().length;
  const error = await adapterFor('ap-east-1')
    .validate()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PermissionError);
  expect((error as PermissionError).retryable).toBe(false);
  expect((error as Error).message).toMatch(
    /^region ap-east-1 is not enabled for this AWS account \(DescribeRegions in us-east-1 lists it as not-opted-in\); .*enable it in the AWS console under Account → AWS Regions/,
  );
  expect(ec2CallsSince(from)).toEqual([['DescribeRegions', 'us-east-1', undefined]]);
});

test('an enabled region is checked from us-east-1, then called itself (#13 item 1)', async () => {
  const from = stack.ec2.calls().length;
  await adapterFor('eu-west-1').validate();
  expect(ec2CallsSince(from)).toEqual([
    ['DescribeRegions', 'us-east-1', undefined],
    ['DescribeRegions', 'eu-west-1', undefined],
  ]);
});

describe('an account that assumes a role', () => {
  const roleArn = () => `arn:aws:iam::${stack.ec2.accounts[0]!.accountId}:role/${operatorRole}`;
  /** The STS calls made since `from`: where they went and how they ended. */
  const stsCallsSince = (from: number) =>
    stack.ec2
      .calls()
      .slice(from)
      .filter((c) => c.service === 'sts')
      .map(({ action, region: signedFor, error }) => ({ action, region: signedFor, error }));

  test('validated for a region the account has not enabled, it gets the region-not-enabled permission error, not bad keys', async () => {
    const from = stack.ec2.calls().length;
    const error = await adapterFor('ap-east-1', { roleArn: roleArn() })
      .validate()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as Error).message).toMatch(
      /^region ap-east-1 is not enabled for this AWS account \(DescribeRegions in us-east-1 lists it as not-opted-in\); .*enable it in the AWS console/,
    );
    // STS in ap-east-1 would have refused the keys as invalid; us-east-1 is always enabled.
    expect(stsCallsSince(from)).toEqual([
      { action: 'AssumeRole', region: 'us-east-1', error: undefined },
      { action: 'GetCallerIdentity', region: 'us-east-1', error: undefined },
    ]);
  });

  test('validated for an enabled region, its identity is the assumed role, and EC2 is called with the role’s keys', async () => {
    const from = stack.ec2.calls().length;
    const validation = await adapterFor('eu-west-1', { roleArn: roleArn() }).validate();
    const accountId = stack.ec2.accounts[0]!.accountId;
    expect(validation).toMatchObject({
      projectId: accountId,
      userId: `arn:aws:sts::${accountId}:assumed-role/${operatorRole}/glint`,
    });
    expect(stsCallsSince(from)).toEqual([
      { action: 'AssumeRole', region: 'us-east-1', error: undefined },
      { action: 'GetCallerIdentity', region: 'us-east-1', error: undefined },
    ]);
    const ec2Calls = stack.ec2
      .calls()
      .slice(from)
      .filter((c) => c.service === 'ec2');
    expect(ec2Calls.map((c) => [c.action, c.region, c.error])).toEqual([
      ['DescribeRegions', 'us-east-1', undefined],
      ['DescribeRegions', 'eu-west-1', undefined],
    ]);
    expect(ec2Calls.every((c) => c.accessKeyId.startsWith('ASIA'))).toBe(true);
  });
});

test('throttled DescribeImages calls are retried by the SDK and the listing succeeds', async () => {
  const adapter = adapterFor('eu-west-1');
  stack.ec2.throttle('DescribeImages', 2);
  const images = [];
  for await (const image of adapter.listImages()) images.push(image);
  expect(images.length).toBeGreaterThanOrEqual(1);
  const throttled = stack.ec2
    .calls()
    .filter((c) => c.action === 'DescribeImages' && c.error === 'RequestLimitExceeded');
  expect(throttled).toHaveLength(2);
});

test('a missing VM Import service role fails the copy for good, saying how to create the role; nothing is left behind', async () => {
  const copyId = newCopyId();
  const result = await copyRaw(randomDisk(MiB), 'ec2-no-role', [
    [adapterFor(region, { importRole: 'glint-no-such-role' }), copyId],
  ]);
  const error = failureOf(result);
  expect(error).toBeInstanceOf(PermissionError);
  expect(error.retryable).toBe(false);
  expect(error.message).toMatch(/service role "glint-no-such-role" is missing/);
  expect(error.message).toMatch(
    /create the IAM role "glint-no-such-role" as AWS's "Required service role" .*required-permissions\.html#vmimport-role/,
  );
  expect(
    stack.ec2.calls().filter((c) => c.action === 'ImportImage' && c.error === 'InvalidParameter'),
  ).toHaveLength(1);
  expect(await leftovers(copyId)).toEqual(nothingLeft);
});

test('an import VM Import gives up on fails the copy with its status message; the staging object is removed', async () => {
  const copyId = newCopyId();
  const statusMessage = 'ClientError: Disk validation failed [Invalid Partition table]';
  stack.ec2.failNextTask(statusMessage);
  const result = await copyRaw(randomDisk(MiB), 'ec2-task-fails', [[adapterFor(region), copyId]]);
  const error = failureOf(result);
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error.message).toContain(statusMessage);
  expect(error.message).toMatch(/fix the image at its source, then copy it again/);
  const [task] = stack.ec2.tasks(region).filter((t) => t.clientToken === copyId);
  expect(task).toMatchObject({ status: 'deleted', statusMessage });
  expect(await leftovers(copyId)).toEqual(nothingLeft);
});

test('deleting a copy whose multipart upload was cut off by its signal aborts the open upload', async () => {
  const { adapter, copyId } = await createdCopy(region, 'ec2-cut-off');
  const size = 3 * 5 * MiB;
  const key = stagingKey(copyId);
  const bucket = stack.stagingBucket(region);
  const partsSent = () =>
    stack.s3
      .requests()
      .filter(
        (r) => r.method === 'PUT' && r.path === `/${bucket}/${key}` && r.query.has('partNumber'),
      );
  // Slowed so the signal lands while the first parts are going up, as a job cancelled mid-copy.
  stack.s3.throttleUploads(8 * MiB);
  const controller = new AbortController();
  const upload = adapter.uploadImageData(copyId, Readable.from([randomDisk(size)]), {
    size,
    signal: controller.signal,
  });
  try {
    await until('part 1 in S3', async () => partsSent().some((r) => r.status === 200), 30_000, 20);
    controller.abort();
    await expect(upload).rejects.toBeInstanceOf(CancelledError);
  } finally {
    stack.s3.throttleUploads(undefined);
  }
  await until('the requests to S3 to end', async () => stack.s3.requests().every((r) => r.ended));
  expect((await leftovers(copyId)).uploads).toEqual([key]);
  expect((await adapter.getImage(copyId)).status).toBe('uploading');

  await adapter.deleteImage(copyId);
  expect(await leftovers(copyId)).toEqual(nothingLeft);
  const { uploads } = await stack.bucketContent(region, bucket);
  expect(uploads).toEqual([]);
  await expect(adapter.getImage(copyId)).rejects.toBeInstanceOf(NotFoundError);
}, 60_000);

/** A raw disk of `virtualSize` bytes starting with `data`, and its sha256, in the work directory. */
async function rawDisk(name: string, data: Buffer, virtualSize: number) {
  const path = join(work, `${name}.raw`);
  await writeFile(path, data);
  await run('truncate', ['-s', String(virtualSize), path]);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { path, sha256: hash.digest('hex') };
}

const convert = (from: string, to: string, format: string, ...options: string[]) =>
  run('qemu-img', ['convert', '-f', 'raw', '-O', format, ...options, from, to]);

const activation = { policy: { initialMs: 200, maxMs: 5000, retries: 20 } };
const allCopied = (result: CopyResult) =>
  expect(result.destinations.map((d) => [d.outcome, d.error?.message])).toEqual(
    result.destinations.map(() => ['copied', undefined]),
  );

test('item 6, architecture: an aarch64 image is registered as arm64 in snapshot mode and i686 imported as i386; ImportImage cannot take aarch64, nor EC2 ppc64le: refused before anything is uploaded', async () => {
  const data = randomDisk(MiB);
  const arm = newCopyId();
  const x86 = newCopyId();
  allCopied(
    await copyImage(
      data,
      { name: 'ec2-aarch64', properties: { architecture: 'aarch64', hw_firmware_type: 'uefi' } },
      [[adapterFor(region, { importMode: 'snapshot' }), arm]],
    ),
  );
  allCopied(
    await copyImage(data, { name: 'ec2-i686', properties: { architecture: 'i686' } }, [
      [adapterFor(region), x86],
    ]),
  );
  expect(madeBy(arm).ami).toMatchObject({ architecture: 'arm64', bootMode: 'uefi' });
  expect(madeBy(x86).task).toMatchObject({ architecture: 'i386', status: 'completed' });
  const refusals: Array<[Record<string, string>, Ec2AccountSettings, RegExp]> = [
    [
      { architecture: 'aarch64' },
      {},
      /ImportImage .* takes i386 and x86_64 images only; .*"snapshot"/,
    ],
    [
      { architecture: 'ppc64le' },
      { importMode: 'snapshot' },
      /EC2 runs x86_64, i686 and aarch64 images, not this image's architecture "ppc64le"/,
    ],
  ];
  for (const [properties, settings, message] of refusals) {
    const copyId = newCopyId();
    const error = failureOf(
      await copyImage(data, { name: 'ec2-arch-refused', properties }, [
        [adapterFor(region, settings), copyId],
      ]),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toMatch(message);
    expect(touchedAws(copyId)).toEqual(untouched);
  }
});

test('item 7, boot mode and ENA: a UEFI image imports with BootMode uefi; registered from a snapshot it has EnaSupport only when ec2_ena_support says it has the driver', async () => {
  const data = randomDisk(MiB);
  const [imported, plain, ena] = [newCopyId(), newCopyId(), newCopyId()];
  const uefi = { hw_firmware_type: 'uefi' };
  const snapshotMode = () => adapterFor(region, { importMode: 'snapshot' });
  allCopied(
    await copyImage(data, { name: 'ec2-uefi', properties: uefi }, [[adapterFor(region), imported]]),
  );
  allCopied(
    await copyImage(data, { name: 'ec2-no-ena', properties: uefi }, [[snapshotMode(), plain]]),
  );
  allCopied(
    await copyImage(
      data,
      { name: 'ec2-ena', properties: { ...uefi, [EC2_PROPERTIES.enaSupport]: 'true' } },
      [[snapshotMode(), ena]],
    ),
  );
  expect(madeBy(imported).task).toMatchObject({ bootMode: 'uefi' });
  expect(madeBy(imported).ami).toMatchObject({ bootMode: 'uefi' });
  expect(madeBy(plain).ami).toMatchObject({ bootMode: 'uefi' });
  expect(madeBy(plain).ami!.enaSupport).toBeUndefined();
  expect(madeBy(ena).ami).toMatchObject({ bootMode: 'uefi', enaSupport: true });
});

test('item 8, OVA: an image in an ova container is imported as Format OVA, its disk the VMDK inside; snapshot mode, which takes no OVA, refuses it before uploading', async () => {
  const disk = await rawDisk('ova-disk', randomDisk(2 * MiB), 8 * MiB);
  await convert(disk.path, join(work, 'disk.vmdk'), 'vmdk', '-o', 'subformat=streamOptimized');
  await writeFile(join(work, 'disk.ovf'), '<?xml version="1.0"?><Envelope/>');
  await run('tar', ['-cf', join(work, 'disk.ova'), '-C', work, 'disk.ovf', 'disk.vmdk']);
  const ova = await readFile(join(work, 'disk.ova'));
  const spec = { name: 'ec2-ova', diskFormat: 'vmdk', containerFormat: 'ova' };
  const copyId = newCopyId();
  allCopied(await copyImage(ova, spec, [[adapterFor(region), copyId]]));
  const { task, ami } = madeBy(copyId);
  expect(task).toMatchObject({ format: 'OVA', status: 'completed' });
  expect(stack.ec2.snapshot(region, ami!.blockDevices[0]!.snapshotId)).toMatchObject({
    diskSize: 8 * MiB,
    diskSha256: disk.sha256,
  });
  const refusedId = newCopyId();
  const error = failureOf(
    await copyImage(ova, spec, [[adapterFor(region, { importMode: 'snapshot' }), refusedId]]),
  );
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error.message).toMatch(
    /ImportSnapshot .* takes VHD, VMDK and RAW disks, not OVA: set the account's importMode to "image"/,
  );
  expect(touchedAws(refusedId)).toEqual(untouched);
});

test('item 9, eventual consistency: an AMI that EC2 does not show yet is tagged and read once it does, in both modes', async () => {
  stack.ec2.delayNewImages(1500);
  try {
    const from = stack.ec2.calls().length;
    const ids = [newCopyId(), newCopyId()];
    allCopied(
      await copyRaw(randomDisk(MiB), 'ec2-late', [
        [adapterFor(region), ids[0]!],
        [adapterFor(region, { importMode: 'snapshot' }), ids[1]!],
      ]),
    );
    const tagging = stack.ec2
      .calls()
      .slice(from)
      .filter((call) => call.action === 'CreateTags')
      .map((call) => call.error ?? 'ok');
    expect(new Set(tagging)).toEqual(new Set(['InvalidAMIID.NotFound', 'ok']));
    for (const id of ids)
      expect(Object.fromEntries(madeBy(id).ami!.tags)).toMatchObject({ glint_copy_id: id });
  } finally {
    stack.ec2.delayNewImages(200);
  }
});

test('item 10, qcow2: a qcow2 of a 1 GiB disk holding 4 MiB is staged as a stream-optimized VMDK of under 5 MiB, not the raw GiB; the imported disk is the raw disk, byte for byte', async () => {
  const virtualSize = 1024 * MiB;
  const disk = await rawDisk('sparse', randomDisk(4 * MiB), virtualSize);
  const qcow2 = join(work, 'sparse.qcow2');
  await convert(disk.path, qcow2, 'qcow2');
  await rm(disk.path);
  const qcow2Size = (await stat(qcow2)).size;
  const { adapter, copyId } = await createdCopy(region, 'ec2-sparse', 'qcow2');
  await adapter.uploadImageData(copyId, createReadStream(qcow2), { size: qcow2Size });
  const staged = await stack
    .s3Client(region)
    .send(new HeadObjectCommand({ Bucket: stack.stagingBucket(region), Key: stagingKey(copyId) }));
  // Converted to raw, this was virtualSize bytes.
  expect(staged.ContentLength).toBeGreaterThan(4 * MiB);
  expect(staged.ContentLength).toBeLessThan(5 * MiB);
  const image = await adapter.awaitActive(copyId, activation);
  expect(image).toMatchObject({ status: 'active', size: qcow2Size, diskFormat: 'qcow2' });
  const { task, ami } = madeBy(copyId);
  expect(task).toMatchObject({ format: 'VMDK' });
  expect(stack.ec2.snapshot(region, ami!.blockDevices[0]!.snapshotId)).toMatchObject({
    diskSize: virtualSize,
    diskSha256: disk.sha256,
  });
  expect(await leftovers(copyId)).toEqual({ ...nothingLeft, amis: [ami!.imageId] });
}, 120_000);

test(`item 12, paged task listings: a copy whose import task is past the first page (${TASK_PAGE_SIZE}) still reads as importing, and deleting it cancels that task`, async () => {
  const other = 'eu-west-1';
  const { adapter, copyId } = await createdCopy(other, 'ec2-paged');
  // Other imports of the account fill the first page of the region's listing.
  const bucket = stack.stagingBucket(other);
  await stack
    .s3Client(other)
    .send(new PutObjectCommand({ Bucket: bucket, Key: 'other/disk.raw', Body: randomDisk(4096) }));
  const ec2 = new EC2Client({
    endpoint: stack.ec2.endpoint,
    region: other,
    credentials: stack.credential,
  });
  try {
    for (let i = 0; i < TASK_PAGE_SIZE; i++)
      await ec2.send(
        new ImportImageCommand({
          ClientToken: `other-${copyId}-${i}`,
          DiskContainers: [
            { Format: 'RAW', UserBucket: { S3Bucket: bucket, S3Key: 'other/disk.raw' } },
          ],
        }),
      );
  } finally {
    ec2.destroy();
  }
  const data = randomDisk(MiB);
  await adapter.uploadImageData(copyId, Readable.from([data]), { size: data.length });
  stack.ec2.stickNextTask();
  const controller = new AbortController();
  const waiting = adapter.awaitActive(copyId, { ...activation, signal: controller.signal });
  await until(
    'the import task to run',
    async () => madeBy(copyId, other).task?.status === 'active',
  );
  controller.abort();
  await expect(waiting).rejects.toBeInstanceOf(CancelledError);

  expect((await adapter.getImage(copyId)).status).toBe('importing');
  await adapter.deleteImage(copyId);
  expect(madeBy(copyId, other).task).toMatchObject({
    status: 'deleted',
    statusMessage: 'User initiated task cancelation',
  });
});

test('item 14, licence: a Windows image that does not say its licence is refused before uploading; with ec2_license_type BYOL it is imported BYOL, not licence-included', async () => {
  const data = randomDisk(MiB, 'ntfs');
  const refusedId = newCopyId();
  const error = failureOf(
    await copyImage(data, { name: 'ec2-windows', properties: { os_type: 'windows' } }, [
      [adapterFor(region), refusedId],
    ]),
  );
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error.message).toMatch(
    /set the image property ec2_license_type to AWS \(licence included\) or BYOL \(your own licences\)/,
  );
  expect(touchedAws(refusedId)).toEqual(untouched);

  const byolId = newCopyId();
  const properties = { os_type: 'windows', [EC2_PROPERTIES.licenseType]: 'BYOL' };
  allCopied(
    await copyImage(data, { name: 'ec2-windows', properties }, [[adapterFor(region), byolId]]),
  );
  expect(madeBy(byolId).task).toMatchObject({ licenseType: 'BYOL', platform: 'Windows' });
  expect(madeBy(byolId).ami).toMatchObject({
    platformDetails: 'Windows BYOL',
    usageOperation: 'RunInstances:0800',
  });
});

test('item 15, no partition table: VM Import refuses the disk; the copy fails for good with its reason, and nothing is left behind', async () => {
  const data = randomBytes(MiB);
  data.writeUInt16LE(0, 510);
  const copyId = newCopyId();
  const error = failureOf(await copyRaw(data, 'ec2-no-partitions', [[adapterFor(region), copyId]]));
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error.retryable).toBe(false);
  expect(error.message).toContain(noPartitionsMessage);
  expect(error.message).toMatch(/fix the image at its source, then copy it again/);
  expect(await leftovers(copyId)).toEqual(nothingLeft);
});

const accountId = () => stack.ec2.accounts[0]!.accountId;
const rawSpec = (name: string) =>
  ({ name, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' }) as const;
/** The S3 requests that reached the server from `from` on. */
const s3Since = (from: number) => stack.s3.requests().slice(from);
const bucketPath = (path: string) => path.replace(/\/$/, '');
const isCreateBucket = (r: S3Request, bucket: string) =>
  r.method === 'PUT' &&
  bucketPath(r.path) === `/${bucket}` &&
  [...r.query.keys()].every((k) => k === 'x-id');

/** Copies `data` to `region` as a raw image; its copy id, AMI and snapshots. */
async function copied(adapter: Ec2Adapter, data: Buffer, name: string) {
  const copyId = newCopyId();
  allCopied(await copyRaw(data, name, [[adapter, copyId]]));
  const ami = stack.ec2.images(region).find((i) => i.tags.get('glint_copy_id') === copyId)!;
  return { copyId, amiId: ami.imageId, snapshots: ami.blockDevices.map((d) => d.snapshotId) };
}

describe('deleting an AMI (#13 item 2)', () => {
  test('deregisters it and deletes its snapshots, though the AMI holds them a while after deregistering (#13 item 2)', async () => {
    const adapter = adapterFor(region);
    const { amiId, snapshots } = await copied(adapter, randomDisk(MiB), 'ec2-delete');
    await adapter.deleteImage(amiId);
    expect(stack.ec2.image(region, amiId)).toBeUndefined();
    expect(snapshots.map((id) => stack.ec2.snapshot(region, id))).toEqual([undefined]);
  });

  test('a snapshot EC2 did not delete with its AMI is deleted when the deletion is retried, the AMI gone (#13 item 2)', async () => {
    const adapter = adapterFor(region);
    const { amiId, snapshots } = await copied(adapter, randomDisk(MiB), 'ec2-delete-retried');
    // As for keys without ec2:DeleteSnapshot: EC2 keeps the snapshots, and so does Glint's own try.
    stack.ec2.failNextSnapshotDeletions('missing-permissions');
    stack.ec2.fail('DeleteSnapshot', {
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
    });
    await expect(adapter.deleteImage(amiId)).rejects.toBeInstanceOf(PermissionError);
    expect(stack.ec2.image(region, amiId)).toBeUndefined();
    expect(
      snapshots.map((id) => stack.ec2.snapshot(region, id)?.tags.get('glint_deregistered_from')),
    ).toEqual([amiId]);
    // The job retried once the permission is granted: nothing is left to be billed.
    await adapter.deleteImage(amiId);
    expect(snapshots.map((id) => stack.ec2.snapshot(region, id))).toEqual([undefined]);
    await expect(adapter.deleteImage(amiId)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('the staging bucket', () => {
  test('is in the account-regional namespace, and every S3 call names the account as the expected bucket owner (#13 item 3)', async () => {
    const bucket = stack.stagingBucket(region);
    expect(bucket).toBe(`glint-staging-${accountId()}-${region}-an`);
    const adapter = adapterFor(region);
    const copyId = newCopyId();
    const from = stack.s3.requests().length;
    await adapter.createImage({ ...rawSpec('ec2-owner'), id: copyId });
    const created = stack.s3
      .requests()
      .filter((r) => isCreateBucket(r, bucket) && r.status === 200);
    expect(created.map((r) => r.headers['x-amz-bucket-namespace'])).toEqual(['account-regional']);
    const size = 6 * MiB;
    await adapter.uploadImageData(copyId, Readable.from([randomDisk(size)]), { size });
    await adapter.deleteImage(copyId);
    const sent = s3Since(from).filter((r) => !isCreateBucket(r, bucket));
    expect(sent.length).toBeGreaterThan(5);
    expect(
      sent
        .filter((r) => r.headers['x-amz-expected-bucket-owner'] !== accountId())
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual([]);
  });

  test('another account holds is refused, whether or not its policy lets Glint in, saying to set the account’s bucket; nothing is written to it (#13 item 3)', async () => {
    for (const othersMayUse of [false, true]) {
      const bucket = `glint-squatted-${randomBytes(3).toString('hex')}`;
      await stack.s3.squatBucket(bucket, { othersMayUse });
      const from = stack.s3.requests().length;
      const error = await adapterFor(region, { bucket })
        .createImage({ ...rawSpec('ec2-squatted'), id: newCopyId() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermissionError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^the S3 bucket ${bucket} belongs to another AWS account, .*set the account's bucket to one that account ${accountId()} owns`,
        ),
      );
      expect(
        s3Since(from)
          .filter((r) => bucketPath(r.path) === `/${bucket}`)
          .map((r) => [r.method, r.status]),
      ).toEqual([
        ['HEAD', 403],
        ['PUT', 409],
      ]);
    }
  });

  test('created by two daemons at once is the account’s for both: BucketAlreadyOwnedByYou is success (#13 item 3)', async () => {
    const bucket = `glint-staging-race-${randomBytes(3).toString('hex')}`;
    // Both HeadBuckets answer before either CreateBucket, as when two daemons start together.
    stack.s3.barrier((r) => r.method === 'HEAD' && bucketPath(r.path) === `/${bucket}`, 2);
    const from = stack.s3.requests().length;
    await Promise.all(
      [1, 2].map(() =>
        adapterFor(region, { bucket }).createImage({ ...rawSpec('ec2-race'), id: newCopyId() }),
      ),
    );
    expect(
      s3Since(from)
        .filter((r) => isCreateBucket(r, bucket))
        .map((r) => r.status)
        .sort(),
    ).toEqual([200, 409]);
  });

  test('Glint creates gets a rule aborting uploads left unfinished for 7 days; a bucket the account already has is not touched (#13 item 13)', async () => {
    await adapterFor(region).createImage({ ...rawSpec('ec2-lifecycle'), id: newCopyId() });
    const s3 = stack.s3Client(region);
    const { Rules } = await s3.send(
      new GetBucketLifecycleConfigurationCommand({ Bucket: stack.stagingBucket(region) }),
    );
    expect(Rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        Filter: { Prefix: 'glint/' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }),
    ]);
    const own = `glint-staging-own-${randomBytes(3).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: own }));
    await adapterFor(region, { bucket: own }).createImage({
      ...rawSpec('ec2-own-bucket'),
      id: newCopyId(),
    });
    await expect(
      s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: own })),
    ).rejects.toMatchObject({ name: 'NoSuchLifecycleConfiguration' });
  });

  test('with SSE-KMS, whose ETags are not MD5s, takes the image, checked by SHA-256; the AMI’s disk is the source (#13 item 4)', async () => {
    const bucket = `glint-staging-kms-${randomBytes(3).toString('hex')}`;
    stack.s3.encryptWithKms(bucket);
    const data = randomDisk(11 * MiB + 5);
    const { snapshots } = await copied(adapterFor(region, { bucket }), data, 'ec2-kms');
    expect(stack.ec2.snapshot(region, snapshots[0]!)).toMatchObject({
      diskSize: data.length,
      diskSha256: createHash('sha256').update(data).digest('hex'),
    });
  });

  test('with SSE-KMS, an upload cut short resumes sending only the parts S3 does not hold, told by their SHA-256 (#13 item 4)', async () => {
    const bucket = `glint-staging-kms-${randomBytes(3).toString('hex')}`;
    stack.s3.encryptWithKms(bucket);
    const copyId = newCopyId();
    const key = stagingKey(copyId);
    const size = 3 * 5 * MiB + 1234;
    const data = randomDisk(size);
    const parts = (from: number) =>
      s3Since(from).filter((r) => r.method === 'PUT' && r.path === `/${bucket}/${key}`);
    const first = adapterFor(region, { bucket });
    await first.createImage({ ...rawSpec('ec2-kms-resume'), id: copyId });
    const controller = new AbortController();
    stack.s3.throttleUploads(8 * MiB);
    const from = stack.s3.requests().length;
    const upload = first.uploadImageData(copyId, Readable.from([data]), {
      size,
      signal: controller.signal,
    });
    try {
      await until(
        'part 1 in S3',
        async () => parts(from).some((r) => r.status === 200),
        30_000,
        20,
      );
      controller.abort();
      await expect(upload).rejects.toBeInstanceOf(CancelledError);
    } finally {
      stack.s3.throttleUploads(undefined);
    }
    await until('the requests to S3 to end', async () => stack.s3.requests().every((r) => r.ended));
    const held = parts(from)
      .filter((r) => r.status === 200)
      .map((r) => Number(r.query.get('partNumber')));
    expect(held.length).toBeGreaterThanOrEqual(1);

    // Another daemon takes the copy up.
    const second = adapterFor(region, { bucket });
    await second.createImage({ ...rawSpec('ec2-kms-resume'), id: copyId });
    const resumedFrom = stack.s3.requests().length;
    await second.uploadImageData(copyId, Readable.from([data]), { size });
    const all = [1, 2, 3, 4];
    expect(parts(resumedFrom).map((r) => [Number(r.query.get('partNumber')), r.status])).toEqual(
      all.filter((n) => !held.includes(n)).map((n) => [n, 200]),
    );
    expect((await second.getImage(copyId)).status).toBe('saving');
    await second.deleteImage(copyId);
  }, 60_000);
});

test('an import the vmimport role may not read the bucket for fails for good, naming the bucket ARNs to add to its policy; nothing is left (#13 item 5)', async () => {
  const copyId = newCopyId();
  const result = await copyRaw(randomDisk(MiB), 'ec2-role-403', [
    [adapterFor(region, { importRole: narrowImportRole }), copyId],
  ]);
  const error = failureOf(result);
  const bucket = stack.stagingBucket(region);
  expect(error).toBeInstanceOf(PermissionError);
  expect(error.retryable).toBe(false);
  expect(error.message).toContain(
    `VM Import's service role "${narrowImportRole}" may not read s3://${bucket}/${stagingKey(copyId)}`,
  );
  expect(error.message).toContain('403 Forbidden');
  expect(error.message).toContain(`add "arn:aws:s3:::${bucket}" and "arn:aws:s3:::${bucket}/*"`);
  expect(error.message).toContain('arn:aws:s3:::glint-staging-*');
  expect(await leftovers(copyId)).toEqual(nothingLeft);
});

describe('what AWS answers (#13 item 11)', () => {
  test('RequestExpired is not bad keys: it says the clock or the session token (#13 item 11)', async () => {
    stack.ec2.fail('DescribeImages', { code: 'RequestExpired', message: 'Request has expired.' });
    const error = await adapterFor(region)
      .getImage('ami-0123456789abcdef0')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(
      /RequestExpired.*this host's clock is more than 15 minutes off AWS's .*session token has expired/,
    );
    expect((error as Error).message).not.toMatch(/check the access key id/);
  });

  test('a clock 20 minutes off AWS’s is corrected by the SDK from EC2’s reply (#13 item 11)', async () => {
    stack.ec2.skewClock(20 * 60_000);
    try {
      const from = stack.ec2.calls().length;
      await adapterFor('eu-west-1').validate();
      expect(
        stack.ec2
          .calls()
          .slice(from)
          .filter((c) => c.service === 'ec2')
          .map((c) => c.error),
      ).toContain('RequestExpired');
    } finally {
      stack.ec2.skewClock(0);
    }
  });

  test('ConcurrentTagAccess fails the copy as retryable (#13 item 11)', async () => {
    stack.ec2.fail('CreateTags', {
      code: 'ConcurrentTagAccess',
      message: 'You cannot run simultaneous tagging operations on the same resource.',
    });
    const result = await copyRaw(randomDisk(MiB), 'ec2-tag-race', [
      [adapterFor(region), newCopyId()],
    ]);
    const [destination] = result.destinations;
    expect(destination).toMatchObject({ outcome: 'failed' });
    expect(destination!.error).toBeInstanceOf(TransientError);
    expect(destination!.error!.retryable).toBe(true);
  });

  test('IdempotentParameterMismatch says the copy’s ClientToken was used with other parameters (#13 item 11)', async () => {
    const copyId = newCopyId();
    const spec = { ...rawSpec('ec2-token-reused'), id: copyId };
    const data = randomDisk(MiB);
    // An attempt with the vmimport role starts the import, which runs on…
    const before = adapterFor(region);
    stack.ec2.stickNextTask();
    await before.createImage(spec);
    await before.uploadImageData(copyId, Readable.from([data]), { size: data.length });
    const controller = new AbortController();
    const running = before.awaitActive(copyId, {
      policy: { initialMs: 10, maxMs: 20, retries: 0 },
      signal: controller.signal,
    });
    await until('the import task', async () =>
      stack.ec2.tasks(region).some((t) => t.clientToken === copyId),
    );
    controller.abort();
    await running.catch(() => undefined);
    // …and the next attempt, the account's importRole changed meanwhile, cannot take it up.
    const after = adapterFor(region, { importRole: operatorRole });
    await after.createImage(spec);
    await after.uploadImageData(copyId, Readable.from([data]), { size: data.length });
    const error = await after
      .awaitActive(copyId, { policy: { initialMs: 10, maxMs: 20, retries: 0 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(
      /IdempotentParameterMismatch.*ClientToken.*used before with other parameters \(the account's importRole/,
    );
    await after.deleteImage(copyId);
    expect(await leftovers(copyId)).toEqual(nothingLeft);
  });
});
