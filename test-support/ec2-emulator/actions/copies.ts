/**
 * CopyImage: an AMI copied from another region of the account, called in the destination region
 * with `SourceRegion`, as the Amazon EC2 API Reference describes it. The new AMI is `pending` at
 * once, its snapshots (new ones, in the destination region) `pending` with a rising `progress`,
 * until the copy's time is up: then `available` and `completed`, or `failed` with a StateReason.
 */
import type { Action } from '../context';
import { ApiError } from '../errors';
import { newId } from '../state';
import { checkImageId } from './images';
import { newTags, requestedTags } from './tags';

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
