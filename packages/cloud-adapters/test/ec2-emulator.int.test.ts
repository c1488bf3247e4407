/**
 * The EC2 test support, driven by the real AWS SDK clients: the S3 server (Debian's Swift with
 * s3api) for multipart uploads, and the EC2/STS emulator for every call the EC2 adapter makes.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  CancelImportTaskCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeImportImageTasksCommand,
  DescribeImportSnapshotTasksCommand,
  DescribeRegionsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ImportImageCommand,
  ImportSnapshotCommand,
  RegisterImageCommand,
  type ImportImageTask,
  type ImportSnapshotCommandOutput,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  accessDeniedMessage,
  noPartitionsMessage,
  startEc2Emulator,
  TASK_PAGE_SIZE,
  unsupportedFormatMessage,
  unsupportedOvaMessage,
  type Ec2Emulator,
} from '../../../test-support/ec2-emulator';
import {
  randomDisk,
  randomDiskStream,
  randomImageStream,
} from '../../../test-support/random-image';
import { startS3Server, type S3Server } from '../../../test-support/s3-server';
import { until } from '../../../test-support/until';
import { oneBucketImportPolicy } from './readme-iam-policies';

const MiB = 1024 * 1024;
let s3Server: S3Server;
let emulator: Ec2Emulator;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function s3(region = 'us-east-1'): S3Client {
  return new S3Client({
    endpoint: s3Server.endpoint,
    region,
    forcePathStyle: true,
    credentials: s3Server,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function keys(account = emulator.accounts[0]!): Keys {
  return { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
}

function ec2(region = 'us-east-1', credentials: Keys = keys(), maxAttempts = 3): EC2Client {
  return new EC2Client({ endpoint: emulator.endpoint, region, credentials, maxAttempts });
}

function sts(region = 'us-east-1', credentials: Keys = keys()): STSClient {
  return new STSClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 });
}

/** The error an SDK call rejects with: its name is AWS's code. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
}

async function putObject(bucket: string, key: string, body: Buffer): Promise<string> {
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return createHash('sha256').update(body).digest('hex');
}

/** The image once DescribeImages sees it: a new AMI is unseen for a moment, as in EC2. */
async function visibleImage(client: EC2Client, imageId: string) {
  for (let i = 0; i < 100; i++) {
    try {
      const { Images } = await client.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
      return Images![0]!;
    } catch (error) {
      if ((error as Error).name !== 'InvalidAMIID.NotFound') throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${imageId} never became visible`);
}

/** The detail of a snapshot import task once it is no longer active. */
async function pollSnapshotTask(client: EC2Client, started: ImportSnapshotCommandOutput) {
  let detail = started.SnapshotTaskDetail!;
  for (let i = 0; i < 200 && detail.Status === 'active'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const reply = await client.send(
      new DescribeImportSnapshotTasksCommand({ ImportTaskIds: [started.ImportTaskId!] }),
    );
    detail = reply.ImportSnapshotTasks![0]!.SnapshotTaskDetail!;
  }
  return detail;
}

async function pollImageTask(client: EC2Client, id: string): Promise<ImportImageTask[]> {
  const seen: ImportImageTask[] = [];
  for (let i = 0; i < 200; i++) {
    const reply = await client.send(new DescribeImportImageTasksCommand({ ImportTaskIds: [id] }));
    const task = reply.ImportImageTasks![0]!;
    seen.push(task);
    if (task.Status !== 'active') return seen;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`import task ${id} still active after 200 polls`);
}

const bucket = 'glint-staging-123456789012-us-east-1';
/** A vmimport role whose policy, as AWS's sample, names one bucket: not `bucket`. */
const narrowRole = 'vmimport-narrow';

beforeAll(async () => {
  s3Server = await startS3Server({ regions: ['us-east-1', 'eu-west-1'] });
  emulator = await startEc2Emulator({
    s3: s3Server,
    accounts: [
      {
        roles: ['vmimport', narrowRole],
        rolePolicies: {
          [narrowRole]: oneBucketImportPolicy('disk-image-bucket'),
        },
      },
      { roles: [], regions: ['us-east-1', 'ap-east-1'] },
    ],
    taskTiming: { stepMs: 10 },
    snapshotHoldMs: 300,
  });
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  await emulator?.close();
  await s3Server?.close();
});

describe('the S3 server (Swift s3api)', () => {
  it('takes a streamed multipart upload, lists its parts and uploads, and serves the object', async () => {
    for (const region of s3Server.regions) {
      const client = s3(region);
      const Bucket = `multipart-${region}`;
      await client.send(new CreateBucketCommand({ Bucket }));
      await client.send(new HeadBucketCommand({ Bucket }));
      const Key = 'images/disk.raw';
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const sizes = [5 * MiB, 5 * MiB, 123_457];
      const hash = createHash('sha256');
      const etags: string[] = [];
      // Parts 1 and 2 first, as a crashed upload leaves them, then ListParts tells what is there.
      for (const [index, size] of sizes.slice(0, 2).entries()) {
        const body = Buffer.concat(await randomImageStream(size, `${region}-${index}`).toArray());
        hash.update(body);
        const part = await client.send(
          new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: index + 1, Body: body }),
        );
        etags.push(part.ETag!);
      }
      const listed = await client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
      expect(listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
        [1, 5 * MiB, etags[0]],
        [2, 5 * MiB, etags[1]],
      ]);
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket }));
      expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]]);
      // The last part as a stream of known length, as the adapter sends it.
      const last = sizes[2]!;
      const lastBody = Buffer.concat(await randomImageStream(last, `${region}-2`).toArray());
      hash.update(lastBody);
      const part3 = await client.send(
        new UploadPartCommand({
          Bucket,
          Key,
          UploadId,
          PartNumber: 3,
          Body: randomImageStream(last, `${region}-2`),
          ContentLength: last,
        }),
      );
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: {
            Parts: [...etags, part3.ETag!].map((ETag, i) => ({ ETag, PartNumber: i + 1 })),
          },
        }),
      );
      const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
      expect(head.ContentLength).toBe(10 * MiB + last);
      const object = await client.send(new GetObjectCommand({ Bucket, Key }));
      const got = createHash('sha256');
      for await (const chunk of object.Body as AsyncIterable<Buffer>) got.update(chunk);
      expect(got.digest('hex')).toBe(hash.digest('hex'));

      const aborted = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'gone' }));
      await client.send(
        new AbortMultipartUploadCommand({ Bucket, Key: 'gone', UploadId: aborted.UploadId }),
      );
      expect(
        (await client.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? [],
      ).toEqual([]);
      await client.send(new DeleteObjectCommand({ Bucket, Key }));
      expect((await failure(client.send(new HeadObjectCommand({ Bucket, Key })))).status).toBe(404);
    }
  });

  it('refuses a part smaller than 5 MiB but the last, as S3 does', async () => {
    const client = s3();
    const Key = 'small-parts';
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key }),
    );
    const parts = [];
    for (const PartNumber of [1, 2]) {
      const part = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key,
          UploadId,
          PartNumber,
          Body: Buffer.alloc(1000),
        }),
      );
      parts.push({ PartNumber, ETag: part.ETag });
    }
    const error = await failure(
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
    expect(error.name).toBe('EntityTooSmall');
  });

  it('refuses a request signed for a region it does not serve, as S3 does', async () => {
    const error = await failure(
      s3('us-west-2').send(new GetObjectCommand({ Bucket: bucket, Key: 'x' })),
    );
    expect(error).toMatchObject({ name: 'AuthorizationHeaderMalformed', status: 400 });
  });
});

describe('the EC2 emulator', () => {
  it('lists the enabled regions, or all with their opt-in status, against the EC2 emulator', async () => {
    const enabled = await ec2().send(new DescribeRegionsCommand({}));
    expect(enabled.Regions?.map((r) => r.RegionName)).toEqual([
      'us-east-1',
      'us-west-2',
      'eu-west-1',
    ]);
    expect(enabled.Regions?.[0]).toMatchObject({
      Endpoint: 'ec2.us-east-1.amazonaws.com',
      OptInStatus: 'opt-in-not-required',
    });
    const other = emulator.accounts[1]!;
    const all = await ec2('us-east-1', keys(other)).send(
      new DescribeRegionsCommand({ AllRegions: true }),
    );
    const status = Object.fromEntries(all.Regions!.map((r) => [r.RegionName, r.OptInStatus]));
    expect(status).toMatchObject({
      'us-east-1': 'opt-in-not-required',
      'ap-east-1': 'opted-in',
      'me-south-1': 'not-opted-in',
      'eu-west-1': 'not-opted-in',
    });
  });

  it('verifies SigV4 signatures and enabled regions against the EC2 emulator', async () => {
    const unknown = await failure(
      ec2('us-east-1', { accessKeyId: 'AKIANOTAKEY', secretAccessKey: 'x' }).send(
        new DescribeImagesCommand({}),
      ),
    );
    expect(unknown).toMatchObject({
      name: 'AuthFailure',
      status: 401,
      message: 'AWS was not able to validate the provided access credentials',
    });
    const wrongSecret = await failure(
      ec2('us-east-1', { ...keys(), secretAccessKey: 'not-the-secret' }).send(
        new DescribeImagesCommand({}),
      ),
    );
    expect(wrongSecret).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    // AWS answers a region the account has not enabled as it answers unknown keys (#13 item 1).
    const notEnabled = await failure(ec2('ap-east-1').send(new DescribeImagesCommand({})));
    expect(notEnabled).toMatchObject({
      name: 'AuthFailure',
      status: 401,
      message: 'AWS was not able to validate the provided access credentials',
    });
    const stsUnknown = await failure(
      sts('us-east-1', { accessKeyId: 'AKIANOTAKEY', secretAccessKey: 'x' }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect(stsUnknown).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
    expect(
      emulator
        .calls()
        .slice(-4)
        .map((c) => [c.service, c.region, c.error]),
    ).toEqual([
      ['ec2', 'us-east-1', 'AuthFailure'],
      ['ec2', 'us-east-1', 'SignatureDoesNotMatch'],
      ['ec2', 'ap-east-1', 'AuthFailure'],
      ['sts', 'us-east-1', 'InvalidClientTokenId'],
    ]);
  });

  it('serves STS GetCallerIdentity and AssumeRole on the same endpoint against the EC2 emulator', async () => {
    const [first, second] = emulator.accounts as [
      (typeof emulator.accounts)[0],
      (typeof emulator.accounts)[0],
    ];
    const me = await sts('eu-west-1').send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(first.accountId);
    const assumed = await sts().send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${first.accountId}:role/vmimport`,
        RoleSessionName: 'glint',
      }),
    );
    const temporary = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    const asRole = await sts('us-east-1', temporary).send(new GetCallerIdentityCommand({}));
    expect(asRole.Arn).toBe(`arn:aws:sts::${first.accountId}:assumed-role/vmimport/glint`);
    await ec2('us-east-1', temporary).send(new DescribeImagesCommand({ Owners: ['self'] }));
    const withoutToken = await failure(
      ec2('us-east-1', { ...temporary, sessionToken: undefined }).send(
        new DescribeImagesCommand({}),
      ),
    );
    expect(withoutToken.name).toBe('AuthFailure');
    const denied = await failure(
      sts().send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${second.accountId}:role/admin`,
          RoleSessionName: 'x',
        }),
      ),
    );
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('throttles with RequestLimitExceeded, which the SDK retries, against the EC2 emulator', async () => {
    emulator.throttle('DescribeImages', 1);
    const once = await failure(ec2('us-east-1', keys(), 1).send(new DescribeImagesCommand({})));
    expect(once).toMatchObject({ name: 'RequestLimitExceeded', status: 503 });
    emulator.throttle('*', 2);
    const retried = await ec2('us-east-1', keys(), 3).send(
      new DescribeImagesCommand({ Owners: ['self'] }),
    );
    expect(retried.$metadata.attempts).toBe(3);
    emulator.fail('DescribeSnapshots', {
      code: 'InternalError',
      message: 'An internal error has occurred',
      times: 1,
    });
    const injected = await failure(
      ec2('us-east-1', keys(), 1).send(new DescribeSnapshotsCommand({})),
    );
    expect(injected).toMatchObject({ name: 'InternalError', status: 500 });
    await ec2('us-east-1', keys(), 1).send(new DescribeSnapshotsCommand({}));
  });

  it('imports an S3 object into an AMI whose snapshot is that object, tagged and deleted, against the EC2 emulator', async () => {
    const client = ec2();
    const body = Buffer.concat(await randomDiskStream(3 * MiB + 17, 'import-image').toArray());
    const sha256 = await putObject(bucket, 'disks/a.raw', body);
    const started = await client.send(
      new ImportImageCommand({
        DiskContainers: [{ Format: 'raw', UserBucket: { S3Bucket: bucket, S3Key: 'disks/a.raw' } }],
        Architecture: 'x86_64',
        BootMode: 'uefi',
        LicenseType: 'BYOL',
        TagSpecifications: [
          { ResourceType: 'import-image-task', Tags: [{ Key: 'glint_name', Value: 'a' }] },
        ],
      }),
    );
    expect(started).toMatchObject({ Status: 'active', StatusMessage: 'pending', Progress: '2' });
    expect(started.Tags).toEqual([{ Key: 'glint_name', Value: 'a' }]);
    const seen = await pollImageTask(client, started.ImportTaskId!);
    const done = seen.at(-1)!;
    expect(done).toMatchObject({ Status: 'completed', Architecture: 'x86_64', BootMode: 'uefi' });
    const progress = seen.filter((t) => t.Progress).map((t) => Number(t.Progress));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const byTaskTag = await client.send(
      new DescribeImportImageTasksCommand({
        Filters: [
          { Name: 'tag:glint_name', Values: ['a'] },
          { Name: 'task-state', Values: ['completed'] },
        ],
      }),
    );
    expect(byTaskTag.ImportImageTasks?.map((t) => t.ImportTaskId)).toEqual([started.ImportTaskId]);
    const snapshotId = done.SnapshotDetails![0]!.SnapshotId!;
    expect(done.SnapshotDetails![0]).toMatchObject({ DiskImageSize: body.length, Format: 'RAW' });
    // The imported disk is the object: same size and sha256.
    expect(emulator.snapshot('us-east-1', snapshotId)).toMatchObject({
      diskSize: body.length,
      diskSha256: sha256,
      volumeSize: 1,
    });

    const imageId = done.ImageId!;
    const image = await visibleImage(client, imageId);
    expect(image).toMatchObject({
      State: 'available',
      OwnerId: emulator.accounts[0]!.accountId,
      RootDeviceName: '/dev/sda1',
      BlockDeviceMappings: [
        { DeviceName: '/dev/sda1', Ebs: { SnapshotId: snapshotId, VolumeSize: 1 } },
      ],
    });
    expect(image?.Tags).toBeUndefined();

    await client.send(
      new CreateTagsCommand({
        Resources: [imageId, snapshotId],
        Tags: [
          { Key: 'glint_content_hash', Value: `sha256:${sha256}` },
          { Key: 'Name', Value: 'a' },
        ],
      }),
    );
    const byTag = await client.send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [{ Name: 'tag:glint_content_hash', Values: [`sha256:${sha256}`] }],
      }),
    );
    expect(byTag.Images?.map((i) => i.ImageId)).toEqual([imageId]);
    expect(byTag.Images?.[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Name', Value: 'a' },
        { Key: 'glint_content_hash', Value: `sha256:${sha256}` },
      ]),
    );
    const noMatch = await client.send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [{ Name: 'tag:glint_content_hash', Values: ['sha256:0'] }],
      }),
    );
    expect(noMatch.Images).toEqual([]);
    const snapshots = await client.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag-key', Values: ['glint_*'] }],
      }),
    );
    expect(snapshots.Snapshots?.map((s) => s.SnapshotId)).toEqual([snapshotId]);
    // Not in another region.
    expect(
      (await ec2('eu-west-1').send(new DescribeImagesCommand({ Owners: ['self'] }))).Images,
    ).toEqual([]);

    const inUse = await failure(client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
    expect(inUse.name).toBe('InvalidSnapshot.InUse');
    await client.send(new DeregisterImageCommand({ ImageId: imageId }));
    // The AMI just deregistered holds its snapshot a while longer, as in EC2 (#13 item 2).
    const held = await failure(client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
    expect(held).toMatchObject({
      name: 'InvalidSnapshot.InUse',
      message: `The snapshot ${snapshotId} is currently in use by ${imageId}`,
    });
    await until(
      'the snapshot released',
      () =>
        client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })).then(
          () => true,
          () => false,
        ),
      5_000,
      50,
    );
    expect(emulator.image('us-east-1', imageId)).toBeUndefined();
    expect(emulator.snapshot('us-east-1', snapshotId)).toBeUndefined();
    const gone = await failure(client.send(new DescribeImagesCommand({ ImageIds: [imageId] })));
    expect(gone.name).toBe('InvalidAMIID.NotFound');
  });

  it('returns the same task for the same ClientToken against the EC2 emulator', async () => {
    const client = ec2('us-west-2');
    await putObject(bucket, 'disks/token.raw', Buffer.alloc(4096, 7));
    const request = {
      ClientToken: 'glint-token-1',
      DiskContainers: [
        { Format: 'RAW', UserBucket: { S3Bucket: bucket, S3Key: 'disks/token.raw' } },
      ],
    };
    const first = await client.send(new ImportImageCommand(request));
    const again = await client.send(new ImportImageCommand(request));
    expect(again.ImportTaskId).toBe(first.ImportTaskId);
    const dryRun = await failure(client.send(new ImportImageCommand({ ...request, DryRun: true })));
    expect(dryRun).toMatchObject({ name: 'DryRunOperation', status: 412 });
    expect(emulator.tasks('us-west-2')).toHaveLength(1);
    const mismatch = await failure(
      client.send(new ImportImageCommand({ ...request, Description: 'other' })),
    );
    expect(mismatch.name).toBe('IdempotentParameterMismatch');
  });

  it('imports a snapshot and registers an AMI from it against the EC2 emulator', async () => {
    const client = ec2('eu-west-1');
    const body = Buffer.alloc(2 * MiB, 3);
    const sha256 = await putObject(bucket, 'disks/snap.raw', body);
    const started = await client.send(
      new ImportSnapshotCommand({
        DiskContainer: { Format: 'RAW', UserBucket: { S3Bucket: bucket, S3Key: 'disks/snap.raw' } },
        TagSpecifications: [
          { ResourceType: 'import-snapshot-task', Tags: [{ Key: 'k', Value: 'v' }] },
        ],
      }),
    );
    expect(started.SnapshotTaskDetail).toMatchObject({
      Status: 'active',
      StatusMessage: 'pending',
    });
    const detail = await pollSnapshotTask(client, started);
    expect(detail).toMatchObject({ Status: 'completed', DiskImageSize: body.length });
    expect(emulator.snapshot('eu-west-1', detail.SnapshotId!)?.diskSha256).toBe(sha256);
    expect(emulator.images('eu-west-1')).toEqual([]);

    const registered = await client.send(
      new RegisterImageCommand({
        Name: 'glint ubuntu 24.04',
        Architecture: 'x86_64',
        RootDeviceName: '/dev/xvda',
        VirtualizationType: 'hvm',
        EnaSupport: true,
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: detail.SnapshotId } }],
        TagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'glint_name', Value: 'ubuntu' }] },
        ],
      }),
    );
    const image = await visibleImage(client, registered.ImageId!);
    expect(image).toMatchObject({
      Name: 'glint ubuntu 24.04',
      EnaSupport: true,
      Tags: [{ Key: 'glint_name', Value: 'ubuntu' }],
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: detail.SnapshotId } }],
    });
    const duplicate = await failure(
      client.send(
        new RegisterImageCommand({
          Name: 'glint ubuntu 24.04',
          BlockDeviceMappings: [
            { DeviceName: '/dev/xvda', Ebs: { SnapshotId: detail.SnapshotId } },
          ],
        }),
      ),
    );
    expect(duplicate.name).toBe('InvalidAMIName.Duplicate');
  });

  it('fails an import of a qcow2 disk, a missing role and a missing bucket as VM Import does, against the EC2 emulator', async () => {
    const client = ec2();
    const qcow2 = Buffer.concat([
      Buffer.from('QFI\xfb\x00\x00\x00\x03', 'latin1'),
      Buffer.alloc(1024),
    ]);
    await putObject(bucket, 'disks/q.qcow2', qcow2);
    const started = await client.send(
      new ImportImageCommand({
        DiskContainers: [
          { Format: 'RAW', UserBucket: { S3Bucket: bucket, S3Key: 'disks/q.qcow2' } },
        ],
      }),
    );
    const done = (await pollImageTask(client, started.ImportTaskId!)).at(-1)!;
    expect(done).toMatchObject({ Status: 'deleted', StatusMessage: unsupportedFormatMessage });
    expect(done.ImageId).toBeUndefined();

    const noRole = await failure(
      ec2('us-east-1', keys(emulator.accounts[1])).send(
        new ImportImageCommand({
          DiskContainers: [
            { Format: 'RAW', UserBucket: { S3Bucket: bucket, S3Key: 'disks/q.qcow2' } },
          ],
        }),
      ),
    );
    expect(noRole).toMatchObject({
      name: 'InvalidParameter',
      message:
        'The service role vmimport provided does not exist or does not have sufficient permissions',
    });
    const noBucket = await failure(
      client.send(
        new ImportImageCommand({
          DiskContainers: [
            { Format: 'RAW', UserBucket: { S3Bucket: 'no-such-bucket', S3Key: 'k' } },
          ],
        }),
      ),
    );
    expect(noBucket).toMatchObject({
      name: 'InvalidParameter',
      message: 'S3 bucket does not exist: s3://no-such-bucket/k',
    });
  });

  it('fails, sticks and cancels tasks on request against the EC2 emulator', async () => {
    const client = ec2();
    await putObject(bucket, 'disks/f.raw', randomDisk(4096));
    const disk = {
      DiskContainers: [{ Format: 'RAW', UserBucket: { S3Bucket: bucket, S3Key: 'disks/f.raw' } }],
    };
    emulator.failNextTask('ClientError: Unknown OS / Missing OS files.');
    const failed = await client.send(new ImportImageCommand(disk));
    expect((await pollImageTask(client, failed.ImportTaskId!)).at(-1)).toMatchObject({
      Status: 'deleted',
      StatusMessage: 'ClientError: Unknown OS / Missing OS files.',
    });

    emulator.stickNextTask();
    const stuck = await client.send(new ImportImageCommand(disk));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [shown] = (
      await client.send(
        new DescribeImportImageTasksCommand({ ImportTaskIds: [stuck.ImportTaskId!] }),
      )
    ).ImportImageTasks!;
    expect(shown).toMatchObject({ Status: 'active', StatusMessage: 'converting', Progress: '28' });
    const cancelled = await client.send(
      new CancelImportTaskCommand({ ImportTaskId: stuck.ImportTaskId }),
    );
    expect(cancelled).toMatchObject({ PreviousState: 'active', State: 'deleting' });
    const [after] = (
      await client.send(
        new DescribeImportImageTasksCommand({ ImportTaskIds: [stuck.ImportTaskId!] }),
      )
    ).ImportImageTasks!;
    expect(after?.Status).toBe('deleted');
  });

  /** Starts an image import of `key` in `format` and polls it to its end. */
  const importToEnd = async (
    key: string,
    format: string,
    extra: Partial<ConstructorParameters<typeof ImportImageCommand>[0]> = {},
    client = ec2(),
  ) => {
    const started = await client.send(
      new ImportImageCommand({
        DiskContainers: [{ Format: format, UserBucket: { S3Bucket: bucket, S3Key: key } }],
        ...extra,
      }),
    );
    return (await pollImageTask(client, started.ImportTaskId!)).at(-1)!;
  };

  it('reads a qemu-img stream-optimized VMDK, bare and in an OVA, back to the raw disk it holds (issue 13 item 10)', async () => {
    const work = await mkdtemp(join(tmpdir(), 'glint-vmdk-'));
    try {
      const run = promisify(execFile);
      const raw = join(work, 'disk.raw');
      // 2 MiB of data on a 40 MiB disk: the VMDK holds the data, the emulator the whole disk.
      await writeFile(raw, randomDisk(2 * MiB));
      await run('truncate', ['-s', String(40 * MiB), raw]);
      const rawSha256 = createHash('sha256')
        .update(await readFile(raw))
        .digest('hex');
      const vmdk = join(work, 'disk.vmdk');
      await run('qemu-img', [
        'convert',
        '-f',
        'raw',
        '-O',
        'vmdk',
        '-o',
        'subformat=streamOptimized',
        raw,
        vmdk,
      ]);
      await writeFile(join(work, 'disk.ovf'), '<?xml version="1.0"?><Envelope/>');
      await run('tar', ['-cf', join(work, 'disk.ova'), '-C', work, 'disk.ovf', 'disk.vmdk']);
      // A hosted ("monolithicSparse") VMDK: VM Import takes the stream-optimized kind only.
      const hosted = join(work, 'hosted.vmdk');
      await run('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', raw, hosted]);
      for (const file of ['disk.vmdk', 'disk.ova', 'hosted.vmdk'])
        await putObject(bucket, `disks/${file}`, await readFile(join(work, file)));

      for (const [key, format] of [
        ['disks/disk.vmdk', 'VMDK'],
        ['disks/disk.ova', 'OVA'],
      ] as const) {
        const done = await importToEnd(key, format);
        expect(done).toMatchObject({ Status: 'completed' });
        expect(emulator.snapshot('us-east-1', done.SnapshotDetails![0]!.SnapshotId!)).toMatchObject(
          { diskSize: 40 * MiB, diskSha256: rawSha256 },
        );
      }
      for (const [key, format, message] of [
        ['disks/hosted.vmdk', 'VMDK', unsupportedFormatMessage],
        ['disks/disk.ova', 'VMDK', unsupportedFormatMessage],
        ['disks/disk.vmdk', 'OVA', unsupportedOvaMessage],
      ] as const)
        expect(await importToEnd(key, format)).toMatchObject({
          Status: 'deleted',
          StatusMessage: message,
        });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('refuses an ImportImage disk with no partition table as VM Import does; ImportSnapshot takes it (issue 13 item 15)', async () => {
    const client = ec2();
    await putObject(bucket, 'disks/blank.raw', Buffer.alloc(MiB, 9));
    expect(await importToEnd('disks/blank.raw', 'RAW')).toMatchObject({
      Status: 'deleted',
      StatusMessage: noPartitionsMessage,
    });
    const started = await client.send(
      new ImportSnapshotCommand({
        DiskContainer: {
          Format: 'RAW',
          UserBucket: { S3Bucket: bucket, S3Key: 'disks/blank.raw' },
        },
      }),
    );
    const detail = await pollSnapshotTask(client, started);
    expect(detail.Status).toBe('completed');
    // A GPT disk (protective MBR, "EFI PART" at LBA 1) is bootable too.
    const gpt = Buffer.alloc(MiB);
    gpt[446 + 4] = 0xee;
    gpt.writeUInt16LE(0xaa55, 510);
    gpt.write('EFI PART', 512, 'latin1');
    await putObject(bucket, 'disks/gpt.raw', gpt);
    expect(await importToEnd('disks/gpt.raw', 'RAW')).toMatchObject({ Status: 'completed' });
  });

  it('imports a Windows disk licence-included unless LicenseType says BYOL, as ImportImage documents (issue 13 item 14)', async () => {
    const client = ec2();
    await putObject(bucket, 'disks/windows.raw', randomDisk(MiB, 'ntfs'));
    const plain = await importToEnd('disks/windows.raw', 'RAW');
    expect(plain).toMatchObject({ Status: 'completed', LicenseType: 'AWS', Platform: 'Windows' });
    expect(await visibleImage(client, plain.ImageId!)).toMatchObject({
      Platform: 'windows',
      PlatformDetails: 'Windows',
      UsageOperation: 'RunInstances:0002',
    });
    const byol = await importToEnd('disks/windows.raw', 'RAW', { LicenseType: 'BYOL' });
    expect(byol).toMatchObject({ Status: 'completed', LicenseType: 'BYOL' });
    expect(await visibleImage(client, byol.ImageId!)).toMatchObject({
      PlatformDetails: 'Windows BYOL',
      UsageOperation: 'RunInstances:0800',
    });
  });

  it('answers InvalidAMIID.NotFound about a new AMI for a moment, as EC2’s eventual consistency does (issue 13 item 9)', async () => {
    const client = ec2('eu-west-1');
    await putObject(bucket, 'disks/late.raw', randomDisk(MiB));
    emulator.delayNewImages(2000);
    try {
      const done = await importToEnd('disks/late.raw', 'RAW', {}, client);
      const imageId = done.ImageId!;
      const notYet = await Promise.all([
        failure(client.send(new DescribeImagesCommand({ ImageIds: [imageId] }))),
        failure(
          client.send(
            new CreateTagsCommand({ Resources: [imageId], Tags: [{ Key: 'k', Value: 'v' }] }),
          ),
        ),
        failure(client.send(new DeregisterImageCommand({ ImageId: imageId }))),
      ]);
      expect(notYet.map((e) => e.name)).toEqual([
        'InvalidAMIID.NotFound',
        'InvalidAMIID.NotFound',
        'InvalidAMIID.NotFound',
      ]);
      const listed = await client.send(new DescribeImagesCommand({ Owners: ['self'] }));
      expect(listed.Images?.map((i) => i.ImageId)).not.toContain(imageId);
      expect((await visibleImage(client, imageId)).ImageId).toBe(imageId);
    } finally {
      emulator.delayNewImages(200);
    }
  });

  it(`pages import-task listings by ${TASK_PAGE_SIZE} when the caller gives no MaxResults (issue 13 item 12)`, async () => {
    const client = ec2('us-west-2');
    await putObject(bucket, 'disks/page.raw', randomDisk(4096));
    for (let i = 0; i < TASK_PAGE_SIZE + 2; i++)
      await client.send(
        new ImportImageCommand({
          ClientToken: `page-${i}`,
          DiskContainers: [
            { Format: 'RAW', UserBucket: { S3Bucket: bucket, S3Key: 'disks/page.raw' } },
          ],
        }),
      );
    const total = emulator.tasks('us-west-2').filter((t) => t.kind === 'image').length;
    const first = await client.send(new DescribeImportImageTasksCommand({}));
    expect(first.ImportImageTasks).toHaveLength(TASK_PAGE_SIZE);
    expect(first.NextToken).toBeDefined();
    const seen = [...first.ImportImageTasks!];
    for (let token = first.NextToken; token;) {
      const next = await client.send(new DescribeImportImageTasksCommand({ NextToken: token }));
      seen.push(...next.ImportImageTasks!);
      token = next.NextToken;
    }
    expect(new Set(seen.map((t) => t.ImportTaskId)).size).toBe(total);
    const all = await client.send(new DescribeImportImageTasksCommand({ MaxResults: 100 }));
    expect([all.ImportImageTasks?.length, all.NextToken]).toEqual([total, undefined]);
  });

  it('refuses what each call does not take: ImportImage arm64 and uefi-preferred, ImportSnapshot OVA, RegisterImage arm64 on BIOS (issue 13 items 6-8)', async () => {
    const client = ec2();
    const disk = { Format: 'RAW', UserBucket: { S3Bucket: bucket, S3Key: 'disks/f.raw' } };
    const refused = await Promise.all([
      failure(
        client.send(new ImportImageCommand({ DiskContainers: [disk], Architecture: 'arm64' })),
      ),
      failure(
        client.send(new ImportImageCommand({ DiskContainers: [disk], BootMode: 'uefi-preferred' })),
      ),
      failure(client.send(new ImportImageCommand({ DiskContainers: [disk], LicenseType: 'Auto' }))),
      failure(
        client.send(new ImportSnapshotCommand({ DiskContainer: { ...disk, Format: 'OVA' } })),
      ),
      failure(
        client.send(
          new RegisterImageCommand({
            Name: 'arm on bios',
            Architecture: 'arm64',
            BootMode: 'legacy-bios',
            BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0' } }],
          }),
        ),
      ),
      failure(
        client.send(
          new RegisterImageCommand({
            Name: 'libosinfo name',
            Architecture: 'aarch64' as never,
            BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0' } }],
          }),
        ),
      ),
    ]);
    expect(refused.map((e) => [e.name, e.message])).toEqual([
      [
        'InvalidParameterValue',
        expect.stringMatching(
          /^Value \(arm64\) for parameter architecture is invalid\. Valid values: i386, x86_64$/,
        ),
      ],
      [
        'InvalidParameterValue',
        expect.stringMatching(/bootMode is invalid\. Valid values: legacy-bios, uefi$/),
      ],
      ['InvalidParameterValue', expect.stringMatching(/licenseType is invalid/)],
      ['InvalidParameter', "Invalid disk image format 'OVA'. Valid values: VHD, VMDK, RAW."],
      [
        'InvalidParameterCombination',
        'The boot mode legacy-bios is not supported for the arm64 architecture.',
      ],
      [
        'InvalidParameterValue',
        expect.stringMatching(/Value \(aarch64\) for parameter architecture/),
      ],
    ]);
  });
});

describe('the S3 server: what S3 does and Swift lacks (test-support/s3-semantics)', () => {
  const owner = () => s3Server.accountId;

  it('refuses another account’s bucket and an ExpectedBucketOwner that is not the bucket’s, as S3 does (#13 item 3)', async () => {
    const client = s3();
    await s3Server.squatBucket('taken-by-another');
    expect(
      await failure(client.send(new HeadBucketCommand({ Bucket: 'taken-by-another' }))),
    ).toEqual(expect.objectContaining({ status: 403 }));
    expect(
      await failure(client.send(new CreateBucketCommand({ Bucket: 'taken-by-another' }))),
    ).toMatchObject({ name: 'BucketAlreadyExists', status: 409 });
    // A squatter whose policy lets everyone in: HEAD says 200, unless the owner is expected.
    await s3Server.squatBucket('open-to-all', { othersMayUse: true });
    await client.send(new HeadBucketCommand({ Bucket: 'open-to-all' }));
    expect(
      await failure(
        client.send(new HeadBucketCommand({ Bucket: 'open-to-all', ExpectedBucketOwner: owner() })),
      ),
    ).toMatchObject({ status: 403 });
    expect(
      await failure(
        client.send(
          new PutObjectCommand({
            Bucket: 'open-to-all',
            Key: 'k',
            Body: 'x',
            ExpectedBucketOwner: owner(),
          }),
        ),
      ),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    // The keys' own bucket: the expected owner passes, another is refused.
    await client.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: owner() }));
    expect(
      await failure(
        client.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: '111122223333' })),
      ),
    ).toMatchObject({ status: 403 });
    expect(await failure(client.send(new CreateBucketCommand({ Bucket: bucket })))).toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
      status: 409,
    });
  });

  it('creates a bucket in the account-regional namespace for its own account and region only (#13 item 3)', async () => {
    const client = s3('eu-west-1');
    const mine = `regional-${owner()}-eu-west-1-an`;
    await client.send(
      new CreateBucketCommand({
        Bucket: mine,
        BucketNamespace: 'account-regional',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    const created = s3Server
      .requests()
      .find((r) => r.method === 'PUT' && r.path.replace(/\/$/, '') === `/${mine}`);
    expect(created?.headers['x-amz-bucket-namespace']).toBe('account-regional');
    for (const name of [`regional-111122223333-eu-west-1-an`, `regional-${owner()}-us-east-1-an`])
      expect(
        await failure(
          client.send(
            new CreateBucketCommand({
              Bucket: name,
              BucketNamespace: 'account-regional',
              CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
            }),
          ),
        ),
      ).toMatchObject({ name: 'InvalidBucketName', status: 400 });
    await expect(s3Server.squatBucket(`x-${owner()}-us-east-1-an`)).rejects.toThrow(
      /regional namespace/,
    );
  });

  it('checks SHA-256 checksums of multipart parts, lists them, and gives the object their composite (#13 item 4)', async () => {
    const client = s3();
    const Key = 'checksummed';
    const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
    const parts = [Buffer.alloc(5 * MiB, 1), Buffer.alloc(1000, 2)];
    const plain = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
    expect(
      await failure(
        client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key,
            UploadId: plain.UploadId,
            PartNumber: 1,
            Body: parts[1],
            ChecksumSHA256: sha256(parts[1]!).toString('base64'),
          }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidRequest',
      message:
        'Checksum Type mismatch occurred, expected checksum Type: null, actual checksum Type: sha256',
    });
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key, ChecksumAlgorithm: 'SHA256' }),
    );
    const upload = { Bucket: bucket, Key, UploadId };
    const wrong = await failure(
      client.send(
        new UploadPartCommand({
          ...upload,
          PartNumber: 1,
          Body: parts[0],
          ChecksumSHA256: sha256(parts[1]!).toString('base64'),
        }),
      ),
    );
    expect(wrong).toMatchObject({ name: 'BadDigest', status: 400 });
    expect((await client.send(new ListPartsCommand(upload))).Parts ?? []).toEqual([]);
    const sent = [];
    for (const [i, Body] of parts.entries())
      sent.push(
        await client.send(
          new UploadPartCommand({
            ...upload,
            PartNumber: i + 1,
            Body,
            ChecksumSHA256: sha256(Body).toString('base64'),
          }),
        ),
      );
    const listed = await client.send(new ListPartsCommand(upload));
    expect(listed.ChecksumAlgorithm).toBe('SHA256');
    expect(listed.Parts?.map((p) => [p.PartNumber, p.ChecksumSHA256])).toEqual(
      parts.map((part, i) => [i + 1, sha256(part).toString('base64')]),
    );
    const withoutChecksums = await failure(
      client.send(
        new CompleteMultipartUploadCommand({
          ...upload,
          MultipartUpload: { Parts: sent.map((p, i) => ({ PartNumber: i + 1, ETag: p.ETag })) },
        }),
      ),
    );
    expect(withoutChecksums).toMatchObject({ name: 'InvalidRequest' });
    await client.send(
      new CompleteMultipartUploadCommand({
        ...upload,
        MultipartUpload: {
          Parts: sent.map((p, i) => ({
            PartNumber: i + 1,
            ETag: p.ETag,
            ChecksumSHA256: p.ChecksumSHA256,
          })),
        },
      }),
    );
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key, ChecksumMode: 'ENABLED' }),
    );
    const composite = sha256(Buffer.concat(parts.map(sha256))).toString('base64');
    expect(head).toMatchObject({ ContentLength: 5 * MiB + 1000, ChecksumSHA256: `${composite}-2` });
  });

  it('gives an SSE-KMS bucket ETags that are not MD5s, and refuses a completion naming MD5s (#13 item 4)', async () => {
    const client = s3();
    const Bucket = 'kms-encrypted';
    s3Server.encryptWithKms(Bucket);
    await client.send(new CreateBucketCommand({ Bucket }));
    const body = Buffer.alloc(5 * MiB, 3);
    const md5 = createHash('md5').update(body).digest('hex');
    const put = await client.send(new PutObjectCommand({ Bucket, Key: 'whole', Body: body }));
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(put.ETag).not.toBe(`"${md5}"`);
    expect(put.ServerSideEncryption).toBe('aws:kms');

    const Key = 'parts';
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const part = await client.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: body }),
    );
    expect(part.ETag).not.toBe(`"${md5}"`);
    const listed = await client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(listed.Parts?.map((p) => p.ETag)).toEqual([part.ETag]);
    const byMd5 = await failure(
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: `"${md5}"` }] },
        }),
      ),
    );
    expect(byMd5).toMatchObject({ name: 'InvalidPart' });
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-1"$/);
    const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ETag).toBe(done.ETag);
    expect(head.ContentLength).toBe(body.length);
  });

  it('records and answers bucket lifecycle configurations, which Swift lacks (#13 item 13)', async () => {
    const client = s3();
    expect(
      await failure(client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))),
    ).toMatchObject({ name: 'NoSuchLifecycleConfiguration', status: 404 });
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'abort',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
            },
          ],
        },
      }),
    );
    const { Rules } = await client.send(
      new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }),
    );
    expect(Rules).toEqual([
      expect.objectContaining({
        ID: 'abort',
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
      }),
    ]);
    expect(
      await failure(
        client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'no-such-bucket' })),
      ),
    ).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });
});

describe('the EC2 emulator as AWS behaves (#13)', () => {
  it('answers a request signed 20 minutes off AWS’s clock RequestExpired, which the SDK corrects from the reply’s Date (#13 item 11)', async () => {
    emulator.skewClock(20 * 60_000);
    try {
      const from = emulator.calls().length;
      const once = await failure(ec2('us-east-1', keys(), 1).send(new DescribeRegionsCommand({})));
      expect(once).toMatchObject({ name: 'RequestExpired', status: 400 });
      const reply = await ec2().send(new DescribeRegionsCommand({}));
      expect(reply.$metadata.attempts).toBe(2);
      expect(
        emulator
          .calls()
          .slice(from)
          .map((c) => c.error),
      ).toEqual(['RequestExpired', 'RequestExpired', undefined]);
    } finally {
      emulator.skewClock(0);
    }
  });

  it('deletes the snapshots with the AMI on DeleteAssociatedSnapshots, skipping one another AMI uses, or reports why not (#13 item 2)', async () => {
    const client = ec2();
    await putObject(bucket, 'disks/dereg.raw', randomDisk(4096));
    const started = await client.send(
      new ImportSnapshotCommand({
        DiskContainer: {
          Format: 'RAW',
          UserBucket: { S3Bucket: bucket, S3Key: 'disks/dereg.raw' },
        },
      }),
    );
    const snapshotId = await until('the snapshot', async () => {
      const { ImportSnapshotTasks } = await client.send(
        new DescribeImportSnapshotTasksCommand({ ImportTaskIds: [started.ImportTaskId!] }),
      );
      return ImportSnapshotTasks?.[0]?.SnapshotTaskDetail?.SnapshotId;
    });
    /** A new AMI, once seen: until then DeregisterImage does not find it either. */
    const register = async (Name: string) => {
      const registered = await client.send(
        new RegisterImageCommand({
          Name,
          RootDeviceName: '/dev/sda1',
          BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: snapshotId } }],
        }),
      );
      await visibleImage(client, registered.ImageId!);
      return registered;
    };
    const first = await register('dereg-first');
    const second = await register('dereg-second');
    const shared = await client.send(
      new DeregisterImageCommand({ ImageId: first.ImageId, DeleteAssociatedSnapshots: true }),
    );
    expect(shared.DeleteSnapshotResults).toEqual([
      { SnapshotId: snapshotId, ReturnCode: 'skipped' },
    ]);
    emulator.failNextSnapshotDeletions('missing-permissions');
    const refused = await client.send(
      new DeregisterImageCommand({ ImageId: second.ImageId, DeleteAssociatedSnapshots: true }),
    );
    expect(refused.DeleteSnapshotResults).toEqual([
      { SnapshotId: snapshotId, ReturnCode: 'missing-permissions' },
    ]);
    expect(emulator.snapshot('us-east-1', snapshotId)).toBeDefined();
    const third = await register('dereg-third');
    const deleted = await client.send(
      new DeregisterImageCommand({ ImageId: third.ImageId, DeleteAssociatedSnapshots: true }),
    );
    expect(deleted.DeleteSnapshotResults).toEqual([
      { SnapshotId: snapshotId, ReturnCode: 'success' },
    ]);
    expect(emulator.snapshot('us-east-1', snapshotId)).toBeUndefined();
  });

  it('fails an import whose role’s policy does not let VM Import read the bucket, with AWS’s 403 text (#13 item 5)', async () => {
    const client = ec2();
    await putObject(bucket, 'disks/denied.raw', randomDisk(4096));
    const disk = {
      DiskContainers: [
        { Format: 'RAW', UserBucket: { S3Bucket: bucket, S3Key: 'disks/denied.raw' } },
      ],
    };
    const denied = await client.send(new ImportImageCommand({ ...disk, RoleName: narrowRole }));
    expect((await pollImageTask(client, denied.ImportTaskId!)).at(-1)).toMatchObject({
      Status: 'deleted',
      StatusMessage: accessDeniedMessage,
    });
    // The role without a policy here may read every bucket, as before.
    const allowed = await client.send(new ImportImageCommand(disk));
    expect((await pollImageTask(client, allowed.ImportTaskId!)).at(-1)?.Status).toBe('completed');
  });
});
