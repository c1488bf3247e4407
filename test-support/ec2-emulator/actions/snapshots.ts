/**
 * EBS snapshots: DescribeSnapshots and DeleteSnapshot (refused while an AMI uses it, and for a
 * short while after that AMI is deregistered).
 */
import type { Action } from '../context';
import { ApiError } from '../errors';
import type { Snapshot } from '../state';
import { describeOwned } from './describe';
import { tagSetXml } from './tags';

const idPattern = /^snap-[0-9a-f]{8,17}$/;

function checkSnapshotId(id: string): void {
  if (!idPattern.test(id)) {
    throw new ApiError('InvalidSnapshotID.Malformed', `Invalid id: "${id}" (expecting "snap-...")`);
  }
}

function snapshotXml(snapshot: Snapshot) {
  return {
    snapshotId: snapshot.snapshotId,
    volumeId: 'vol-ffffffff',
    status: snapshot.status,
    startTime: snapshot.startTime,
    progress: `${snapshot.progress}%`,
    ownerId: snapshot.ownerId,
    volumeSize: snapshot.volumeSize,
    description: snapshot.description,
    encrypted: false,
    storageTier: 'standard',
    tagSet: tagSetXml(snapshot.tags),
  };
}

export const describeSnapshots: Action = (context) => {
  const { items, nextToken } = describeOwned(context, {
    all: context.state.snapshots,
    idParam: 'SnapshotId',
    id: (snapshot) => snapshot.snapshotId,
    checkId: checkSnapshotId,
    fields: (snapshot) => ({
      'snapshot-id': snapshot.snapshotId,
      status: snapshot.status,
      'owner-id': snapshot.ownerId,
      description: snapshot.description,
      'volume-id': 'vol-ffffffff',
      'volume-size': String(snapshot.volumeSize),
    }),
    notFound: (ids) =>
      new ApiError('InvalidSnapshot.NotFound', `The snapshot '${ids.join(', ')}' does not exist.`),
  });
  return { snapshotSet: items.map(snapshotXml), nextToken };
};

export const deleteSnapshot: Action = ({ state, caller, region, params }) => {
  const snapshotId = params.require('SnapshotId');
  checkSnapshotId(snapshotId);
  const snapshot = state.snapshots.get(snapshotId);
  if (!snapshot || snapshot.region !== region || snapshot.ownerId !== caller.account.accountId) {
    throw new ApiError('InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`);
  }
  const user = [...state.images.values()].find((image) =>
    image.blockDevices.some((d) => d.snapshotId === snapshotId),
  );
  // An AMI just deregistered still holds its snapshots for a short while, as in EC2.
  const holder =
    user?.imageId ?? ((snapshot.heldUntil ?? 0) > Date.now() ? snapshot.heldBy : undefined);
  if (holder) {
    throw new ApiError(
      'InvalidSnapshot.InUse',
      `The snapshot ${snapshotId} is currently in use by ${holder}`,
    );
  }
  state.snapshots.delete(snapshotId);
  return { return: true };
};
