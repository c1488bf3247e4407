/**
 * An AMI copied by EC2 between regions of one account (CopyImage), through the adapter's
 * server-side copy, against the EC2 emulator and the S3 server: the source AMI is imported once
 * into us-east-1 as any copy is, then copied to the other regions. Each test reads what the
 * emulated AWS holds afterwards: AMIs, snapshots, their tags, and the calls made.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CopyImageCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GLINT_MARKERS, OutboundPolicy } from '@glint/core';
import { startEc2Stack, type Ec2Stack } from '../../../test-support/ec2-stack';
import { randomDisk } from '../../../test-support/random-image';
import {
  copyFromStream,
  EC2_TAGS,
  InvalidRequestError,
  type ActivationProgress,
  type AmiRegionCopy,
} from '../src';
import { Ec2Adapter } from '../src/ec2/adapter';

const MiB = 1024 * 1024;
const source = 'us-east-1';
const poll = { initialMs: 20, maxMs: 100, retries: 10 };
let stack: Ec2Stack;
const adapters: Ec2Adapter[] = [];
/** The AMI imported into us-east-1 that the tests copy. */
let sourceAmi: string;
let sourceAdapter: Ec2Adapter;

const adapterFor = (region: string) => {
  const adapter = new Ec2Adapter({ type: 'ec2', region, ...stack.settings }, stack.credential, {
    outbound: OutboundPolicy.fromSetting(stack.outboundAllow),
  });
  adapters.push(adapter);
  return adapter;
};

beforeAll(async () => {
  // S3 in every region, as AWS has it, though only the source's region gets a staging bucket.
  stack = await startEc2Stack({
    regions: [source, 'us-west-2', 'eu-west-1'],
    taskTiming: { stepMs: 10 },
    // Long enough for the region's five copies to be running when a sixth is asked.
    copyTiming: { copyMs: 1500 },
  });
  sourceAdapter = adapterFor(source);
  const data = randomDisk(MiB + 17);
  const imported = await copyFromStream({
    sourceKey: 'upload',
    sourceName: 'copy-me.raw',
    data: Readable.from([data]),
    size: data.length,
    spec: {
      name: 'copy-me',
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
      properties: { os_distro: 'debian' },
    },
    destinations: [{ key: 'us-east-1-site', adapter: sourceAdapter, imageId: newCopyId() }],
  });
  // The engine names the copy by Glint's id; the AMI has its own.
  sourceAmi = (await sourceAdapter.getImage(imported.destinations[0]!.imageId!)).id;
}, 180_000);

afterAll(async () => {
  await Promise.all(adapters.map((adapter) => adapter.close()));
  await stack?.close();
});

function newCopyId() {
  return `copy-${randomBytes(4).toString('hex')}`;
}

/** The destination's server-side copy from us-east-1, which the adapter must offer. */
async function copierTo(region: string): Promise<AmiRegionCopy> {
  const copier = await adapterFor(region).serverSideCopyFrom(sourceAdapter);
  expect(copier?.method).toBe('ec2-copy-image');
  return copier!;
}

const copyCalls = (region: string) =>
  stack.ec2.calls().filter((call) => call.action === 'CopyImage' && call.region === region);

/** The AMIs and snapshots of a region that carry the copy id. */
const madeFor = (region: string, copyId: string) => ({
  amis: stack.ec2.images(region).filter((i) => i.tags.get(EC2_TAGS.copyId) === copyId),
  snapshots: stack.ec2.snapshots(region).filter((s) => s.tags.get(EC2_TAGS.copyId) === copyId),
});

test('CopyImage is asked in the destination region; the copy goes pending → available, with its own snapshots, tags and markers', async () => {
  const copier = await copierTo('us-west-2');
  const copyId = newCopyId();
  const stages: ActivationProgress[] = [];
  const image = await copier.run({
    sourceKey: 'us-east-1-site',
    sourceImageId: sourceAmi,
    targetId: copyId,
    policy: poll,
    onProgress: (progress) => stages.push(progress),
  });

  expect(copyCalls('us-west-2').map((call) => call.error)).toEqual([undefined]);
  expect(copyCalls(source)).toEqual([]);
  expect(image).toMatchObject({ status: 'active', name: 'copy-me' });
  // It was seen pending, copying, before it was available.
  expect(stages.some((s) => s.stage === 'copying' && s.percent < 100)).toBe(true);
  expect(stages.at(-1)).toEqual({ stage: 'copying', percent: 100 });

  const original = stack.ec2.image(source, sourceAmi)!;
  const copy = stack.ec2.image('us-west-2', image.id)!;
  expect(copy.state).toBe('available');
  // The snapshots are new ones, of the destination region, with the same disk.
  const [copied] = copy.blockDevices;
  const [read] = original.blockDevices;
  expect(copied!.snapshotId).not.toBe(read!.snapshotId);
  const snapshot = stack.ec2.snapshot('us-west-2', copied!.snapshotId)!;
  expect(snapshot).toMatchObject({ status: 'completed', progress: 100 });
  expect(snapshot.diskSha256).toBe(stack.ec2.snapshot(source, read!.snapshotId)!.diskSha256);
  // The source's tags, its markers now naming the AMI copied from, on the AMI and its snapshots.
  const expected = {
    ...Object.fromEntries(original.tags),
    [GLINT_MARKERS.sourceSite]: 'us-east-1-site',
    [GLINT_MARKERS.sourceImage]: sourceAmi,
    [EC2_TAGS.copyId]: copyId,
  };
  expect(Object.fromEntries(copy.tags)).toEqual(expected);
  expect(Object.fromEntries(snapshot.tags)).toEqual(expected);
  expect(copy.tags.get(GLINT_MARKERS.contentHash)).toBe(
    original.tags.get(GLINT_MARKERS.contentHash),
  );
  expect(copy.tags.get('os_distro')).toBe('debian');
  // Nothing was imported or staged in the destination region: it has no staging bucket at all.
  expect(stack.ec2.tasks('us-west-2')).toEqual([]);
  await expect(
    stack.bucketContent('us-west-2', stack.stagingBucket('us-west-2')),
  ).rejects.toMatchObject({ name: 'NoSuchBucket' });

  // Deleting the copy is as for any AMI: deregistered with its snapshots.
  await adapterFor('us-west-2').deleteImage(image.id);
  expect(madeFor('us-west-2', copyId)).toEqual({ amis: [], snapshots: [] });
  expect(stack.ec2.image(source, sourceAmi)).toBeDefined();
});

test('a copy given a name (a release version’s "NAME (VERSION)") carries it as a streamed copy does: its Name tag, not deprecated', async () => {
  const copyId = newCopyId();
  const image = await (
    await copierTo('us-west-2')
  ).run({
    sourceKey: 'us-east-1-site',
    sourceImageId: sourceAmi,
    targetId: copyId,
    name: 'Copy me (2)',
    policy: poll,
  });

  expect(image).toMatchObject({ status: 'active', name: 'Copy me (2)' });
  const copy = stack.ec2.image('us-west-2', image.id)!;
  // One Name tag, the version's; the source's other tags as for any copy.
  expect(copy.tags.get(EC2_TAGS.name)).toBe('Copy me (2)');
  expect(copy.tags.get('os_distro')).toBe('debian');
  expect(copy.deprecationTime).toBeUndefined();
  expect(stack.ec2.image(source, sourceAmi)!.tags.get(EC2_TAGS.name)).toBe('copy-me');
  await adapterFor('us-west-2').deleteImage(image.id);
});

test('at the region limit of 5 snapshot copies, CopyImage answers ResourceLimitExceeded and the copy waits for a slot', async () => {
  const region = 'eu-west-1';
  const ec2 = new EC2Client({
    endpoint: stack.endpoints.ec2,
    region,
    credentials: stack.credential,
  });
  try {
    for (let i = 0; i < 5; i++)
      await ec2.send(
        new CopyImageCommand({
          SourceImageId: sourceAmi,
          SourceRegion: source,
          Name: `filler-${i}-${randomBytes(3).toString('hex')}`,
        }),
      );
    const sixth = ec2.send(
      new CopyImageCommand({ SourceImageId: sourceAmi, SourceRegion: source, Name: 'sixth' }),
    );
    await expect(sixth).rejects.toMatchObject({
      name: 'ResourceLimitExceeded',
      message: 'Too many snapshot copies in progress. The limit is 5 for this destination region.',
    });
  } finally {
    ec2.destroy();
  }

  const copyId = newCopyId();
  const image = await (
    await copierTo(region)
  ).run({ sourceKey: 'us-east-1-site', sourceImageId: sourceAmi, targetId: copyId, policy: poll });
  expect(image.status).toBe('active');
  const answers = copyCalls(region)
    .slice(6)
    .map((call) => call.error);
  // Refused while the five ran, then accepted once one finished.
  expect(answers[0]).toBe('ResourceLimitExceeded');
  expect(answers.at(-1)).toBeUndefined();
  expect(madeFor(region, copyId).amis).toHaveLength(1);
});

test('a copy EC2 ends failed fails with its reason and leaves no AMI or snapshot', async () => {
  stack.ec2.failNextCopy({
    code: 'Server.InternalError',
    message: 'Internal error while copying the snapshots',
  });
  const copyId = newCopyId();
  const copying = (await copierTo('us-west-2')).run({
    sourceKey: 'us-east-1-site',
    sourceImageId: sourceAmi,
    targetId: copyId,
    policy: poll,
  });
  await expect(copying).rejects.toThrow(InvalidRequestError);
  await expect(copying).rejects.toThrow(
    /ended failed \(Server\.InternalError: Internal error while copying the snapshots\)/,
  );
  expect(madeFor('us-west-2', copyId)).toEqual({ amis: [], snapshots: [] });
});

test('a copy asked again under the same id (a retried job) finds the one it started, not a second', async () => {
  const copyId = newCopyId();
  const first = new AbortController();
  const interrupted = (await copierTo('us-west-2')).run({
    sourceKey: 'us-east-1-site',
    sourceImageId: sourceAmi,
    targetId: copyId,
    policy: poll,
    signal: first.signal,
    onProgress: () => first.abort(new Error('the daemon went away')),
  });
  await expect(interrupted).rejects.toThrow();
  expect(madeFor('us-west-2', copyId).amis).toHaveLength(1);

  const image = await (
    await copierTo('us-west-2')
  ).run({ sourceKey: 'us-east-1-site', sourceImageId: sourceAmi, targetId: copyId, policy: poll });
  expect(image.status).toBe('active');
  const made = madeFor('us-west-2', copyId);
  expect(made.amis.map((ami) => ami.imageId)).toEqual([image.id]);
  expect(made.snapshots).toHaveLength(1);
});

describe('what the emulator answers as EC2 does', () => {
  const client = () =>
    new EC2Client({
      endpoint: stack.endpoints.ec2,
      region: 'us-west-2',
      credentials: stack.credential,
    });

  test('a ClientToken used again with other parameters is IdempotentParameterMismatch', async () => {
    const ec2 = client();
    try {
      const token = newCopyId();
      const ask = (Name: string) =>
        ec2.send(
          new CopyImageCommand({
            SourceImageId: sourceAmi,
            SourceRegion: source,
            Name,
            ClientToken: token,
          }),
        );
      const { ImageId } = await ask(`${token}-a`);
      await expect(ask(`${token}-a`)).resolves.toMatchObject({ ImageId });
      await expect(ask(`${token}-b`)).rejects.toMatchObject({
        name: 'IdempotentParameterMismatch',
      });
    } finally {
      ec2.destroy();
    }
  });

  test('an AMI still pending cannot be copied: InvalidAMIID.Unavailable', async () => {
    const ec2 = client();
    // Seen at once, so that it is asked for while its copy still runs.
    stack.ec2.delayNewImages(0);
    try {
      const { ImageId } = await ec2.send(
        new CopyImageCommand({ SourceImageId: sourceAmi, SourceRegion: source, Name: newCopyId() }),
      );
      await expect(
        ec2.send(
          new CopyImageCommand({
            SourceImageId: ImageId!,
            SourceRegion: 'us-west-2',
            Name: newCopyId(),
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidAMIID.Unavailable' });
    } finally {
      stack.ec2.delayNewImages(200);
      ec2.destroy();
    }
  });
});
