/**
 * An EC2 (and STS) emulator for tests: the real `@aws-sdk/client-ec2` and `@aws-sdk/client-sts`,
 * pointed at `endpoint`, talk to it as to AWS. See README.md beside this file.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CopyRunner, type CopyTiming } from './copy-runner';
import { DiskReader, type S3Access } from './disk-reader';
import { Faults, type Call, type Failure, type SnapshotReturnCode } from './faults';
import { createEmulatorServer } from './server';
import {
  Ec2State,
  type Ec2Account,
  type Image,
  type ImportTask,
  type PolicyDocument,
  type Region,
  type Snapshot,
} from './state';
import { TaskRunner, type TaskTiming } from './tasks';

export type {
  Call,
  CopyTiming,
  Ec2Account,
  Failure,
  Image,
  ImportTask,
  PolicyDocument,
  Region,
  S3Access,
  Snapshot,
  SnapshotReturnCode,
  TaskTiming,
};
export { unsupportedFormatMessage, unsupportedOvaMessage } from './disk-reader';
export { TASK_PAGE_SIZE } from './actions/imports';
export { accessDeniedMessage, invalidSourceMessage, noPartitionsMessage } from './tasks';

export const defaultRegions: Region[] = [
  { name: 'us-east-1', optIn: false },
  { name: 'us-east-2', optIn: false },
  { name: 'us-west-2', optIn: false },
  { name: 'eu-west-1', optIn: false },
  { name: 'eu-central-1', optIn: false },
  { name: 'ap-southeast-2', optIn: false },
  { name: 'ap-east-1', optIn: true },
  { name: 'me-south-1', optIn: true },
];

export interface Ec2EmulatorOptions {
  /** The S3 server import tasks read disks from (test-support/s3-server.ts), with keys that may read every bucket. */
  s3: S3Access;
  /** Default one account, 123456789012, with role `vmimport` and us-east-1, us-west-2, eu-west-1 enabled. Keys default to fresh random ones. */
  accounts?: Partial<Ec2Account>[];
  regions?: Region[];
  /** How fast import tasks move; default one step per 100 ms. */
  taskTiming?: TaskTiming;
  /** How long CopyImage takes, and how many snapshot copies a region runs at once. */
  copyTiming?: CopyTiming;
  /** How long an AMI just deregistered still holds its snapshots; default 1000 ms. */
  snapshotHoldMs?: number;
  /**
   * How long a new AMI (registered or imported) answers InvalidAMIID.NotFound to DescribeImages,
   * CreateTags and DeregisterImage, as EC2's eventual consistency does; default 200 ms.
   */
  consistencyDelayMs?: number;
}

export interface Ec2Emulator {
  /** `http://127.0.0.1:PORT`: the `endpoint` of both the EC2 and the STS client, for every region. */
  endpoint: string;
  accounts: Ec2Account[];
  regions: Region[];
  /** The next `failure.times` calls of `action` (or of any, `'*'`) fail with that code and text. */
  fail(action: string, failure: Failure): void;
  /** The next `times` calls of `action` (or of any, `'*'`) get `RequestLimitExceeded`, HTTP 503. */
  throttle(action: string, times?: number): void;
  /** The next import task fails at validation with this status message. */
  failNextTask(message: string): void;
  /** The next import task never gets past `converting`. */
  stickNextTask(): void;
  /** The next CopyImage makes an AMI that ends `failed`, with this StateReason. */
  failNextCopy(reason: { code: string; message: string }): void;
  /** How long AMIs made from now on stay unseen by the API (`consistencyDelayMs`). */
  delayNewImages(ms: number): void;
  /**
   * The next DeregisterImage with DeleteAssociatedSnapshots deletes none of its snapshots and
   * reports `code` for each, as EC2 does when, e.g., the caller may not DeleteSnapshot.
   */
  failNextSnapshotDeletions(code: SnapshotReturnCode): void;
  /** Sets AWS's clock `ms` ahead of this host's (behind when negative); 0 puts them together. */
  skewClock(ms: number): void;
  /** The resources in a region, of the first account unless `accountId` is given. */
  images(region: string, accountId?: string): Image[];
  snapshots(region: string, accountId?: string): Snapshot[];
  tasks(region: string, accountId?: string): ImportTask[];
  image(region: string, imageId: string): Image | undefined;
  /** A snapshot with `diskSize` and `diskSha256` of the disk its import read. */
  snapshot(region: string, snapshotId: string): Snapshot | undefined;
  task(region: string, importTaskId: string): ImportTask | undefined;
  /** Every call answered so far, in order, with its error code if it failed. */
  calls(): Call[];
  close(): Promise<void>;
}

function fillAccount(given: Partial<Ec2Account>, index: number): Ec2Account {
  return {
    accessKeyId: given.accessKeyId ?? `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: given.secretAccessKey ?? randomBytes(30).toString('base64'),
    accountId: given.accountId ?? String(123456789012 + index * 1111),
    roles: given.roles ?? ['vmimport'],
    rolePolicies: given.rolePolicies ?? {},
    regions: given.regions ?? ['us-east-1', 'us-west-2', 'eu-west-1'],
  };
}

export async function startEc2Emulator(options: Ec2EmulatorOptions): Promise<Ec2Emulator> {
  const accounts = (options.accounts ?? [{}]).map(fillAccount);
  const regions = options.regions ?? defaultRegions;
  const state = new Ec2State(
    regions,
    accounts,
    options.snapshotHoldMs ?? 1000,
    options.consistencyDelayMs ?? 200,
  );
  const disks = new DiskReader(options.s3);
  const tasks = new TaskRunner(state, disks, {
    stepMs: options.taskTiming?.stepMs ?? 100,
    stepsPerPoll: options.taskTiming?.stepsPerPoll ?? 0,
  });
  const copies = new CopyRunner(state, options.copyTiming);
  const faults = new Faults();
  const server = createEmulatorServer({ state, tasks, copies, disks, faults });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const owner = (accountId?: string) => accountId ?? accounts[0]!.accountId;
  // Time moves the tasks between calls too, so what a test reads is what a describe would show.
  const settle = () => {
    for (const task of state.tasks.values()) tasks.advance(task, 0);
    copies.advance();
  };
  const inRegion = <T extends { region: string }>(resource: T | undefined, region: string) =>
    resource?.region === region ? resource : undefined;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    accounts,
    regions,
    fail: (action, failure) => faults.fail(action, failure),
    throttle: (action, times) => faults.throttle(action, times),
    failNextTask: (message) => tasks.failNextTask(message),
    stickNextTask: () => tasks.stickNextTask(),
    failNextCopy: (reason) => {
      copies.nextFailure = reason;
    },
    delayNewImages: (ms) => {
      state.consistencyDelayMs = ms;
    },
    failNextSnapshotDeletions: (code) => {
      faults.snapshotDeletion = code;
    },
    skewClock: (ms) => {
      faults.clockSkewMs = ms;
    },
    images: (region, accountId) => (settle(), state.owned(state.images, region, owner(accountId))),
    snapshots: (region, accountId) => (
      settle(),
      state.owned(state.snapshots, region, owner(accountId))
    ),
    tasks: (region, accountId) => (settle(), state.owned(state.tasks, region, owner(accountId))),
    image: (region, id) => (settle(), inRegion(state.images.get(id), region)),
    snapshot: (region, id) => (settle(), inRegion(state.snapshots.get(id), region)),
    task: (region, id) => (settle(), inRegion(state.tasks.get(id), region)),
    calls: () => [...faults.calls],
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await tasks.settled();
      disks.close();
    },
  };
}
