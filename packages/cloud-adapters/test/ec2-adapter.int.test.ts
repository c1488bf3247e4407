import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GLINT_MARKERS } from '@glint/core';
import { startEc2Emulator, type Ec2Emulator } from '../../../test-support/ec2-emulator';
import { startS3Server, type S3Server } from '../../../test-support/s3-server';
import { AuthenticationError, copyFromStream, Ec2Adapter } from '../src';

let s3: S3Server;
let ec2: Ec2Emulator;
const regions = ['us-east-1', 'eu-west-1'];

beforeAll(async () => {
  s3 = await startS3Server({ regions });
  ec2 = await startEc2Emulator({
    s3,
    // The keys of the S3 server are the account's, as with AWS's one set of keys for both.
    accounts: [{ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }],
    taskTiming: { stepMs: 10 },
  });
}, 180_000);

afterAll(async () => {
  await ec2?.close();
  await s3?.close();
});

const adapterFor = (region: string, secretAccessKey = s3.secretAccessKey) =>
  new Ec2Adapter(
    {
      type: 'ec2',
      region,
      endpoints: { ec2: ec2.endpoint, sts: ec2.endpoint, s3: s3.endpoint },
    },
    { kind: 'ec2_keys', accessKeyId: s3.accessKeyId, secretAccessKey },
  );

test('a raw image streams to two emulated regions (S3 server + EC2 emulator); the AMIs are tagged, the imported disks hash as the source', async () => {
  const data = randomBytes(12 * 1024 * 1024 + 123);
  const adapters = regions.map((region) => adapterFor(region));
  const result = await copyFromStream({
    sourceKey: 'upload',
    sourceName: 'disk.raw',
    data: Readable.from([data]),
    size: data.length,
    spec: { name: 'ec2-raw', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    destinations: adapters.map((adapter, i) => ({
      key: regions[i]!,
      adapter,
      imageId: `copy-${i}-${randomBytes(4).toString('hex')}`,
    })),
  });
  expect(result.destinations.map((d) => [d.outcome, d.error?.message])).toEqual([
    ['copied', undefined],
    ['copied', undefined],
  ]);
  const sha256 = createHash('sha256').update(data).digest('hex');
  for (const [i, region] of regions.entries()) {
    const amiId = (await adapters[i]!.getImage(result.destinations[i]!.imageId!)).id;
    const ami = ec2.image(region, amiId)!;
    const tags = Object.fromEntries(ami.tags);
    expect(tags).toMatchObject({
      Name: 'ec2-raw',
      [GLINT_MARKERS.sourceSite]: 'upload',
      [GLINT_MARKERS.contentHash]: `sha512:${createHash('sha512').update(data).digest('hex')}`,
      glint_size: String(data.length),
    });
    const snapshots = ec2.snapshots(region);
    expect(snapshots.map((s) => s.diskSha256)).toContain(sha256);
  }
  await Promise.all(adapters.map((adapter) => adapter.close()));
}, 240_000);

test('bad keys are a permanent authentication error saying to check them', async () => {
  const adapter = adapterFor('us-east-1', 'not-the-secret');
  const error = await adapter.validate().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).retryable).toBe(false);
  expect((error as Error).message).toMatch(/check the access key id and secret/);
  await adapter.close();
});

test('throttled DescribeImages calls are retried by the SDK and the listing succeeds', async () => {
  const adapter = adapterFor('eu-west-1');
  ec2.throttle('DescribeImages', 2);
  const images = [];
  for await (const image of adapter.listImages()) images.push(image);
  expect(images.length).toBeGreaterThanOrEqual(1);
  const throttled = ec2
    .calls()
    .filter((c) => c.action === 'DescribeImages' && c.error === 'RequestLimitExceeded');
  expect(throttled).toHaveLength(2);
  await adapter.close();
});
