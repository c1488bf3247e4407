/** EBS snapshots: DescribeSnapshots and DeleteSnapshot (refused while an AMI uses it). */
import type { Action } from '../context';
import { ApiError } from '../errors';
import { matchesFilters, page } from '../filters';
import { filters } from '../query';
import type { Snapshot } from '../state';
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
    status: 'completed',
    startTime: snapshot.startTime,
    progress: '100%',
    ownerId: snapshot.ownerId,
    volumeSize: snapshot.volumeSize,
    description: snapshot.description,
    encrypted: false,
    storageTier: 'standard',
    tagSet: tagSetXml(snapshot.tags),
  };
}

export const describeSnapshots: Action = ({ state, caller, region, params }) => {
  const owners = params.list('Owner');
  const ids = params.list('SnapshotId');
  ids.forEach(checkSnapshotId);
  const wanted = filters(params);
  const ownerSeen =
    !owners.length || owners.some((o) => o === 'self' || o === caller.account.accountId);
  const snapshots = state.owned(state.snapshots, region, caller.account.accountId).filter(
    (snapshot) =>
      ownerSeen &&
      (!ids.length || ids.includes(snapshot.snapshotId)) &&
      matchesFilters(
        wanted,
        {
          'snapshot-id': snapshot.snapshotId,
          status: 'completed',
          'owner-id': snapshot.ownerId,
          description: snapshot.description,
          'volume-id': 'vol-ffffffff',
          'volume-size': String(snapshot.volumeSize),
        },
        snapshot.tags,
      ),
  );
  const missing = ids.filter((id) => !snapshots.some((s) => s.snapshotId === id));
  if (missing.length) {
    throw new ApiError(
      'InvalidSnapshot.NotFound',
      `The snapshot '${missing.join(', ')}' does not exist.`,
    );
  }
  const { items, nextToken } = page(snapshots, params);
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
  if (user) {
    throw new ApiError(
      'InvalidSnapshot.InUse',
      `The snapshot ${snapshotId} is currently in use by ${user.imageId}`,
    );
  }
  state.snapshots.delete(snapshotId);
  return { return: true };
};
