/**
 * Injected failures and the log of calls. A failure applies to the next `times` calls of an action
 * (or of every action, `'*'`), before the action runs, so it changes nothing, as an AWS error does.
 */
import { ApiError } from './errors';

export interface Failure {
  code: string;
  message: string;
  /** How many calls fail; default 1. */
  times?: number;
  /** Default: the status AWS gives that code (errors.ts). */
  status?: number;
}

export interface Call {
  service: 'ec2' | 'sts' | 'ssm';
  action: string;
  region: string;
  accessKeyId: string;
  /** The error code answered, if any. */
  error?: string;
}

interface Pending {
  error: ApiError;
  left: number;
}

/** What DeregisterImage with DeleteAssociatedSnapshots may report for a snapshot it did not delete. */
export type SnapshotReturnCode = 'missing-permissions' | 'internal-error' | 'client-error';

export class Faults {
  private readonly pending = new Map<string, Pending[]>();
  readonly calls: Call[] = [];
  /** The next DeregisterImage with DeleteAssociatedSnapshots leaves its snapshots, reporting this. */
  snapshotDeletion?: SnapshotReturnCode;
  /** How far AWS's clock is ahead of this host's, in ms. */
  clockSkewMs = 0;

  /** AWS's time. */
  now(): number {
    return Date.now() + this.clockSkewMs;
  }

  fail(action: string, failure: Failure): void {
    const error = new ApiError(failure.code, failure.message, failure.status);
    const queue = this.pending.get(action) ?? [];
    queue.push({ error, left: failure.times ?? 1 });
    this.pending.set(action, queue);
  }

  /** The next `times` calls are throttled the way EC2 throttles: `RequestLimitExceeded`, HTTP 503. */
  throttle(action: string, times = 1): void {
    this.fail(action, { code: 'RequestLimitExceeded', message: 'Request limit exceeded.', times });
  }

  /** Throws the failure injected for this action, if any is left. */
  check(action: string): void {
    for (const key of [action, '*']) {
      const queue = this.pending.get(key);
      const next = queue?.[0];
      if (!queue || !next) continue;
      if (--next.left <= 0) queue.shift();
      throw next.error;
    }
  }
}
