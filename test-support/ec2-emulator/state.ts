/**
 * What the emulated AWS holds: accounts and their keys, regions, AMIs, snapshots, import tasks and
 * their tags. Every resource belongs to one account in one region, as in EC2.
 */
import { randomBytes } from 'node:crypto';

export interface Ec2Account {
  accessKeyId: string;
  secretAccessKey: string;
  /** Twelve digits. */
  accountId: string;
  /** IAM roles that exist in the account: `vmimport` for VM Import, others for `AssumeRole`. */
  roles: string[];
  /**
   * The permission policies of roles VM Import acts as, by role name: an import reads its disk only
   * where the role's policy allows `s3:GetObject`. A role not named here may read every bucket.
   */
  rolePolicies: Record<string, PolicyDocument>;
  /** Regions enabled for the account; EC2 calls to any other region fail with `AuthFailure`. */
  regions: string[];
}

/** An IAM policy document, as much of it as the emulator evaluates: Allow statements. */
export interface PolicyDocument {
  Version?: string;
  Statement: Array<{
    Effect: 'Allow' | 'Deny';
    Action: string | string[];
    Resource: string | string[];
  }>;
}

export interface Region {
  name: string;
  /** An opt-in region (as ap-east-1): `DescribeRegions` shows `opted-in` rather than `opt-in-not-required`. */
  optIn: boolean;
}

export type Tags = Map<string, string>;

export interface Owned {
  region: string;
  ownerId: string;
  tags: Tags;
}

export interface BlockDevice {
  deviceName: string;
  snapshotId: string;
  volumeSize: number;
}

/** An AMI's state as DescribeImages shows it; only a copy is ever not `available` here. */
export type ImageState = 'pending' | 'available' | 'failed';

/** A copy CopyImage is making: from which AMI, and when it ends (actions/copies.ts). */
export interface ImageCopy {
  sourceImageId: string;
  sourceRegion: string;
  startedAt: number;
  endsAt: number;
  /** Set when the copy is to end `failed`, as DescribeImages' StateReason. */
  failure?: { code: string; message: string };
}

export interface Image extends Owned {
  imageId: string;
  state: ImageState;
  stateReason?: { code: string; message: string };
  copy?: ImageCopy;
  name: string;
  description?: string;
  architecture: string;
  creationDate: string;
  rootDeviceName: string;
  blockDevices: BlockDevice[];
  virtualizationType: string;
  bootMode?: string;
  enaSupport?: boolean;
  /** `windows` for a Windows AMI; absent for Linux/UNIX, as DescribeImages shows it. */
  platform?: string;
  platformDetails?: string;
  usageOperation?: string;
  /** When DescribeImages and CreateTags start to see it (EC2's eventual consistency). */
  visibleAt: number;
  /** EnableImageDeprecation's time, whole minutes, as DescribeImages shows it (ISO 8601). */
  deprecationTime?: string;
}

export interface Snapshot extends Owned {
  snapshotId: string;
  /** `pending` while a copy makes it, `error` when that copy failed; else `completed`. */
  status: 'pending' | 'completed' | 'error';
  /** Percent done, as DescribeSnapshots' `progress` shows it. */
  progress: number;
  /** Until when (ms since the epoch) the AMI just deregistered still holds it: DeleteSnapshot is refused. */
  heldUntil?: number;
  heldBy?: string;
  /** GiB, rounded up, as EBS counts. */
  volumeSize: number;
  description: string;
  startTime: string;
  /** The imported disk's exact byte count and sha256, so tests can check it is the S3 object. */
  diskSize: number;
  diskSha256: string;
}

export type TaskKind = 'image' | 'snapshot';

export interface ImportTask extends Owned {
  kind: TaskKind;
  importTaskId: string;
  clientToken?: string;
  /** The request's parameters, to tell a repeated ClientToken from a reused one. */
  fingerprint: string;
  format: string;
  bucket: string;
  key: string;
  roleName: string;
  description?: string;
  architecture?: string;
  bootMode?: string;
  licenseType?: string;
  platform?: string;
  /** `active` while running, then `completed` or `deleted` (failed or cancelled). */
  status: 'active' | 'completed' | 'deleting' | 'deleted';
  statusMessage?: string;
  progress?: string;
  /** Index into the task kind's steps (tasks.ts). */
  step: number;
  diskSize?: number;
  diskSha256?: string;
  snapshotId?: string;
  imageId?: string;
}

/** Temporary credentials from `AssumeRole`, acting as `roleName` in `accountId`. */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleName: string;
  sessionName: string;
  expiration: Date;
}

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export function tagList(tags: Tags): { key: string; value: string }[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

/** An SSM parameter, as PutParameter stores it. */
export interface Parameter {
  name: string;
  value: string;
  type: 'String' | 'StringList' | 'SecureString';
  dataType: string;
  version: number;
  lastModified: number;
  description?: string;
}

export class Ec2State {
  readonly images = new Map<string, Image>();
  readonly snapshots = new Map<string, Snapshot>();
  readonly tasks = new Map<string, ImportTask>();
  readonly sessions = new Map<string, Session>();
  /** SSM parameters, by account, region and name (actions/parameters.ts). */
  readonly parameters = new Map<string, Parameter>();
  /** CopyImage's ClientTokens, by account, region and token: the AMI each made. */
  readonly copyTokens = new Map<string, { fingerprint: string; imageId: string }>();

  constructor(
    readonly regions: Region[],
    readonly accounts: Ec2Account[],
    /** How long an AMI just deregistered still holds its snapshots. */
    readonly snapshotHoldMs: number,
    /**
     * How long a new AMI stays invisible to DescribeImages, CreateTags and DeregisterImage, which
     * answer InvalidAMIID.NotFound meanwhile: "Eventual consistency in the Amazon EC2 API".
     */
    public consistencyDelayMs: number,
  ) {}

  /** Registers a new AMI, seen by the API only once the consistency delay has passed. */
  addImage(image: Omit<Image, 'visibleAt' | 'state'> & { state?: ImageState }): Image {
    const added = {
      ...image,
      state: image.state ?? 'available',
      visibleAt: Date.now() + this.consistencyDelayMs,
    };
    this.images.set(added.imageId, added);
    return added;
  }

  /** Whether the API sees the AMI yet. */
  visible(image: Image): boolean {
    return image.visibleAt <= Date.now();
  }

  account(accountId: string): Ec2Account | undefined {
    return this.accounts.find((a) => a.accountId === accountId);
  }

  /** The resources of one account in one region. */
  owned<T extends Owned>(all: Map<string, T>, region: string, ownerId: string): T[] {
    return [...all.values()].filter((r) => r.region === region && r.ownerId === ownerId);
  }

  /** Any taggable resource by id the API sees, within the caller's account and region. */
  taggable(id: string, region: string, ownerId: string): Owned | undefined {
    const image = this.images.get(id);
    const resource =
      (image && this.visible(image) ? image : undefined) ??
      this.snapshots.get(id) ??
      this.tasks.get(id);
    return resource && resource.region === region && resource.ownerId === ownerId
      ? resource
      : undefined;
  }
}
