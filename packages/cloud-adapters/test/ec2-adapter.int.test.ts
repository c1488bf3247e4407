/**
 * The EC2 adapter against the real S3 server (Swift's s3api) and the EC2 emulator, one of each for
 * the whole file: copies through the transfer engine in both import modes, and the failures an
 * operator meets (bad keys, throttling, a missing service role, a region not enabled, an import
 * VM Import gives up on, a copy deleted mid-upload), each checked for what it leaves behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GLINT_MARKERS, OutboundPolicy, type Ec2AccountSettings } from '@glint/core';
import { startEc2Stack, type Ec2Stack } from '../../../test-support/ec2-stack';
import { until } from '../../../test-support/until';
import {
  AddressRefusedError,
  AuthenticationError,
  CancelledError,
  copyFromStream,
  Ec2Adapter,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  type CopyResult,
} from '../src';

const MiB = 1024 * 1024;
const regions = ['us-east-1', 'eu-west-1'];
const region = regions[0]!;
/** A role the account's keys may assume, beside VM Import's. */
const operatorRole = 'glint-operator';
let stack: Ec2Stack;
const adapters: Ec2Adapter[] = [];

beforeAll(async () => {
  stack = await startEc2Stack({
    regions,
    roles: ['vmimport', operatorRole],
    taskTiming: { stepMs: 10 },
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(adapters.map((adapter) => adapter.close()));
  await stack?.close();
});

const adapterFor = (
  siteRegion: string,
  settings: Ec2AccountSettings = {},
  secretAccessKey = stack.credential.secretAccessKey,
) => {
  const adapter = new Ec2Adapter(
    { type: 'ec2', region: siteRegion, ...stack.settings, ...settings },
    { ...stack.credential, secretAccessKey },
    { outbound: OutboundPolicy.fromSetting(stack.outboundAllow) },
  );
  adapters.push(adapter);
  return adapter;
};

const newCopyId = () => `copy-${randomBytes(4).toString('hex')}`;
const stagingKey = (copyId: string) => `glint/${copyId}.disk`;

/** Streams `data` as a raw image through the transfer engine to one adapter per copy id. */
const copyRaw = (data: Buffer, name: string, targets: Array<[Ec2Adapter, string]>) =>
  copyFromStream({
    sourceKey: 'upload',
    sourceName: `${name}.raw`,
    data: Readable.from([data]),
    size: data.length,
    spec: { name, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    destinations: targets.map(([adapter, imageId], i) => ({ key: `d${i}`, adapter, imageId })),
  });

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

const failureOf = (result: CopyResult) => {
  const [destination] = result.destinations;
  expect(destination).toMatchObject({ outcome: 'failed' });
  expect(destination!.leftoverImageId).toBeUndefined();
  return destination!.error!;
};

test('a raw image streams to two emulated regions (S3 server + EC2 emulator); the AMIs are tagged, the imported disks hash as the source', async () => {
  const data = randomBytes(12 * MiB + 123);
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
  const data = randomBytes(6 * MiB + 77);
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

test('a region the account has not enabled fails validation with a permission error saying to enable it', async () => {
  const error = await adapterFor('ap-east-1')
    .validate()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PermissionError);
  expect((error as PermissionError).retryable).toBe(false);
  expect((error as Error).message).toMatch(
    /^region ap-east-1 is not enabled for this AWS account \(OptInRequired .*\); .*enable it in the AWS console under Account → AWS Regions/,
  );
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
      /^region ap-east-1 is not enabled for this AWS account \(OptInRequired .*\); .*enable it in the AWS console/,
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
      ['DescribeRegions', 'eu-west-1', undefined],
    ]);
    expect(ec2Calls[0]!.accessKeyId).toMatch(/^ASIA/);
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
  const result = await copyRaw(randomBytes(MiB), 'ec2-no-role', [
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
  const result = await copyRaw(randomBytes(MiB), 'ec2-task-fails', [[adapterFor(region), copyId]]);
  const error = failureOf(result);
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error.message).toContain(statusMessage);
  expect(error.message).toMatch(/fix the image at its source, then copy it again/);
  const [task] = stack.ec2.tasks(region).filter((t) => t.clientToken === copyId);
  expect(task).toMatchObject({ status: 'deleted', statusMessage });
  expect(await leftovers(copyId)).toEqual(nothingLeft);
});

test('deleting a copy whose multipart upload was cut off by its signal aborts the open upload', async () => {
  const adapter = adapterFor(region);
  const copyId = newCopyId();
  await adapter.createImage({
    id: copyId,
    name: 'ec2-cut-off',
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
  });
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
  const upload = adapter.uploadImageData(copyId, Readable.from([randomBytes(size)]), {
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
