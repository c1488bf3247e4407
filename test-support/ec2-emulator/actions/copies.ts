/**
 * CopyImage: an AMI copied from another region of the account, called in the destination region
 * with `SourceRegion`, as the Amazon EC2 API Reference describes it. The new AMI is `pending` at
 * once, its snapshots (new ones, in the destination region) `pending` with a rising `progress`,
 * until the copy's time is up: then `available` and `completed`, or `failed` with a StateReason.
 */
import type { Action } from '../context';
import { ApiError } from '../errors';
import { newId, type Ec2State, type Image } from '../state';
import { checkImageId } from './images';
import { newTags, requestedTags } from './tags';

export interface CopyTiming {
  /** How long a copy stays `pending`; default 300 ms. */
  copyMs?: number;
  /**
   * Snapshot copies one destination region runs at once, per account; default 5. AWS's AMI quotas
   * (EC2 User Guide, "AMI quotas") list no limit on concurrent copies; users meet this one as
   * "ResourceLimitExceeded: Too many snapshot copies in progress. The limit is 5 for this
   * destination region." (aws-samples/copy-encrypted-ami#3,
   * aws-samples/aws-step-functions-ebs-snapshot-mgmt#3). A copy of an AMI copies each of its
   * snapshots, so the limit counts snapshots, not AMIs.
   */
  concurrentSnapshotCopies?: number;
}

/** What the emulator's copies follow; tests change `nextFailure`. */
export class CopyRunner {
  readonly copyMs: number;
  readonly concurrentSnapshotCopies: number;
  /** The next copy ends `failed` with this StateReason. */
  nextFailure?: { code: string; message: string };

  constructor(
    private readonly state: Ec2State,
    timing: CopyTiming = {},
  ) {
    this.copyMs = timing.copyMs ?? 300;
    this.concurrentSnapshotCopies = timing.concurrentSnapshotCopies ?? 5;
  }

  /** Moves every copy on to where time has brought it. */
  advance(now = Date.now()): void {
    for (const image of this.state.images.values()) {
      const { copy } = image;
      if (!copy || image.state !== 'pending') continue;
      const done = now >= copy.endsAt;
      const percent = done
        ? 100
        : Math.floor(((now - copy.startedAt) / (copy.endsAt - copy.startedAt)) * 100);
      for (const snapshot of this.snapshotsOf(image)) {
        snapshot.progress = copy.failure && done ? snapshot.progress : percent;
        if (done) snapshot.status = copy.failure ? 'error' : 'completed';
      }
      if (!done) continue;
      image.state = copy.failure ? 'failed' : 'available';
      if (copy.failure) image.stateReason = copy.failure;
    }
  }

  /** Snapshot copies running in a region for an account. */
  running(region: string, ownerId: string): number {
    return this.state
      .owned(this.state.images, region, ownerId)
      .filter((image) => image.copy && image.state === 'pending')
      .reduce((sum, image) => sum + image.blockDevices.length, 0);
  }

  private snapshotsOf(image: Image) {
    return image.blockDevices.flatMap((device) => {
      const snapshot = this.state.snapshots.get(device.snapshotId);
      return snapshot ? [snapshot] : [];
    });
  }
}

/**
 * The request's parameters that make it the same request again: a ClientToken repeated with
 * others is `IdempotentParameterMismatch` ("Ensuring idempotency in Amazon EC2 API requests").
 */
const fingerprintOf = (params: Record<string, string | undefined>) => JSON.stringify(params);

export const copyImage: Action = ({ state, copies, caller, region, params }) => {
  const ownerId = caller.account.accountId;
  const sourceImageId = params.require('SourceImageId');
  const sourceRegion = params.require('SourceRegion');
  const name = params.require('Name');
  checkImageId(sourceImageId);
  if (params.get('DestinationOutpostArn') || params.get('DestinationAvailabilityZone'))
    throw new ApiError(
      'InvalidParameterCombination',
      'The emulator copies between regions only, not to Outposts or Local Zones.',
    );
  const token = params.get('ClientToken');
  const tokenKey = token && `${ownerId}/${region}/${token}`;
  const fingerprint = fingerprintOf({
    sourceImageId,
    sourceRegion,
    name,
    description: params.get('Description'),
  });
  const earlier = tokenKey ? state.copyTokens.get(tokenKey) : undefined;
  if (earlier) {
    if (earlier.fingerprint !== fingerprint)
      throw new ApiError(
        'IdempotentParameterMismatch',
        'The request uses the same client token as a previous, but non-identical request.',
      );
    return { imageId: earlier.imageId };
  }
  const source = state.images.get(sourceImageId);
  if (
    !source ||
    !state.visible(source) ||
    source.region !== sourceRegion ||
    source.ownerId !== ownerId
  )
    throw new ApiError('InvalidAMIID.NotFound', `The image id '[${sourceImageId}]' does not exist`);
  if (source.state !== 'available')
    throw new ApiError(
      'InvalidAMIID.Unavailable',
      `The specified AMI ${sourceImageId} has been deregistered or is in a transitional state (${source.state}).`,
    );
  const duplicate = state.owned(state.images, region, ownerId).find((image) => image.name === name);
  if (duplicate)
    throw new ApiError(
      'InvalidAMIName.Duplicate',
      `AMI name ${name} is already in use by AMI ${duplicate.imageId}`,
    );
  const limit = copies.concurrentSnapshotCopies;
  if (copies.running(region, ownerId) + source.blockDevices.length > limit)
    throw new ApiError(
      'ResourceLimitExceeded',
      `Too many snapshot copies in progress. The limit is ${limit} for this destination region.`,
    );
  const tags = requestedTags(params, ['image', 'snapshot']);
  const imageId = newId('ami');
  const now = Date.now();
  const startTime = new Date(now).toISOString();
  // The copy's snapshots are new ones, the destination region's own.
  const blockDevices = source.blockDevices.map((device) => {
    const original = state.snapshots.get(device.snapshotId)!;
    const snapshotId = newId('snap');
    state.snapshots.set(snapshotId, {
      ...original,
      snapshotId,
      region,
      tags: newTags(tags.get('snapshot')),
      status: 'pending',
      progress: 0,
      startTime,
      description: `Copied for DestinationAmi ${imageId} from SourceAmi ${sourceImageId} for SourceSnapshot ${device.snapshotId}. Task created on ${startTime}.`,
      heldUntil: undefined,
      heldBy: undefined,
    });
    return { ...device, snapshotId };
  });
  // CopyImageTags copies the user's tags (never `aws:` ones); TagSpecifications add to them.
  const imageTags = params.flag('CopyImageTags')
    ? [...source.tags].map(([key, value]) => ({ key, value }))
    : [];
  const failure = copies.nextFailure;
  copies.nextFailure = undefined;
  state.addImage({
    ...source,
    imageId,
    region,
    name,
    description: params.get('Description'),
    creationDate: startTime,
    tags: newTags([...imageTags, ...(tags.get('image') ?? [])]),
    blockDevices,
    state: 'pending',
    copy: {
      sourceImageId,
      sourceRegion,
      startedAt: now,
      endsAt: now + copies.copyMs,
      ...(failure && { failure }),
    },
  });
  if (tokenKey) state.copyTokens.set(tokenKey, { fingerprint, imageId });
  return { imageId };
};
