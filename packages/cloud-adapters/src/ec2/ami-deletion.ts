import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  type Filter,
  type Image,
} from '@aws-sdk/client-ec2';
import { backoffDelay, sleep } from '@glint/core';
import { NotFoundError, TransientError } from '../errors';
import { EC2_TAGS, snapshotsOf } from './image-mapping';

/**
 * How long to keep asking to delete a snapshot its AMI, just deregistered, still holds
 * (InvalidSnapshot.InUse); after that the deletion fails as transient and its job retries.
 */
const SNAPSHOT_RELEASE = { initialMs: 250, maxMs: 8_000, retries: 10 };

/** What deleting an AMI needs of its region's adapter. */
export interface AmiDeletionContext {
  /** Runs an AWS call, its failure typed and worded for `doing`. */
  aws<T>(doing: string, call: () => Promise<T>): Promise<T>;
  ec2: EC2Client;
  /** The account's own AMIs in the region that match. */
  describe(filters: Filter[]): Promise<Image[]>;
}

/** Deregisters AMIs and deletes their snapshots, including those a deregistration left behind. */
export class AmiDeletion {
  constructor(private readonly region: AmiDeletionContext) {}

  /**
   * Deregisters `ami` when there is one, then deletes the snapshots left by it (`amiId` when the
   * AMI is already gone) or, without an AMI, those of the copy. True when there was anything.
   */
  async remove(ami: Image | undefined, amiId?: string, copyId?: string): Promise<boolean> {
    if (ami) await this.deregister(ami);
    const left = await this.deleteLeftSnapshots(ami?.ImageId ?? amiId, copyId);
    return ami !== undefined || left;
  }

  /**
   * Deregisters the AMI, EC2 deleting its snapshots with it. Its snapshots are first tagged with
   * its id, so that any EC2 does not delete (it reports why) can be found again, by this call or a
   * retry of it once the AMI is gone.
   */
  private async deregister(ami: Image): Promise<void> {
    const snapshots = snapshotsOf(ami);
    if (snapshots.length > 0)
      await this.region.aws(`marking the snapshots of ${ami.ImageId} for deletion`, () =>
        this.region.ec2.send(
          new CreateTagsCommand({
            Resources: snapshots,
            Tags: [{ Key: EC2_TAGS.deregisteredFrom, Value: ami.ImageId }],
          }),
        ),
      );
    await this.region.aws(`deregistering ${ami.ImageId}`, () =>
      this.region.ec2.send(
        new DeregisterImageCommand({ ImageId: ami.ImageId, DeleteAssociatedSnapshots: true }),
      ),
    );
  }

  /**
   * Deletes the snapshots an AMI's deregistration left (tagged with its id) or, once its AMI is
   * gone, those of the copy; but not one another AMI still uses. True when there were any.
   */
  private async deleteLeftSnapshots(amiId?: string, copyId?: string): Promise<boolean> {
    const filter = amiId
      ? { Name: `tag:${EC2_TAGS.deregisteredFrom}`, Values: [amiId] }
      : copyId && { Name: `tag:${EC2_TAGS.copyId}`, Values: [copyId] };
    if (!filter) return false;
    const { Snapshots } = await this.region.aws(
      `looking for the snapshots ${amiId ?? copyId} left`,
      () =>
        this.region.ec2.send(
          new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [filter] }),
        ),
    );
    const left = (Snapshots ?? []).flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
    for (const snapshot of left) {
      // The AMI just deregistered may still be listed for a moment (EC2 is eventually consistent).
      const users = (
        await this.region.describe([
          { Name: 'block-device-mapping.snapshot-id', Values: [snapshot] },
        ])
      ).filter((user) => user.ImageId !== amiId && user.State !== 'deregistered');
      if (users.length === 0) await this.deleteSnapshot(snapshot);
    }
    return left.length > 0;
  }

  /** Deletes a snapshot, waiting while the AMI just deregistered still holds it. */
  private async deleteSnapshot(snapshot: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.region.aws(`deleting snapshot ${snapshot}`, () =>
          this.region.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot })),
        );
        return;
      } catch (error) {
        if (error instanceof NotFoundError) return;
        const inUse = (error as Error).cause as { name?: string } | undefined;
        if (inUse?.name !== 'InvalidSnapshot.InUse') throw error;
        if (attempt > SNAPSHOT_RELEASE.retries)
          throw new TransientError(
            `snapshot ${snapshot} is still in use after its AMI was deregistered; it stays tagged ${EC2_TAGS.deregisteredFrom} and is deleted when the deletion is retried`,
            { cause: error },
          );
        await sleep(backoffDelay(SNAPSHOT_RELEASE, attempt));
      }
    }
  }
}
