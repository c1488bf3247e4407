/**
 * How the emulator's AMI copies (CopyImage) move on with time: pending for a while, then available
 * or failed, holding a snapshot-copy slot of their destination region meanwhile.
 */
import type { Ec2State, Image } from './state';

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
