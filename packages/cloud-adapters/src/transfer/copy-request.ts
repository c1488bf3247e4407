import type { BackoffPolicy, ContentHash, CopyMethod, Verification } from '@glint/core';
import type { CloudAdapter } from '../adapter';
import type { CloudError } from '../errors';
import type { VisibilityPolicy } from '../adapter';
import type { TransferProgress } from './progress';

export interface CopySource {
  /** Names the source site in Glint's markers on every copy. */
  key: string;
  adapter: CloudAdapter;
  imageId: string;
}

export interface CopyDestination {
  /** Names the destination in results and progress. */
  key: string;
  adapter: CloudAdapter;
  /**
   * Id for the new image. A caller that derives it from its job can find and remove the half-made
   * record a crash left behind before it copies again.
   */
  imageId?: string;
}

export interface RetryPolicies {
  /** Resuming the source read after a broken connection. */
  read: BackoffPolicy;
  /** Creating the destination record, looking for an existing copy. */
  request: BackoffPolicy;
  /** Deleting a failed copy; long enough to outlast a destination's restart. */
  cleanup: BackoffPolicy;
  /** Waiting for a destination to report the image active after its data arrived. */
  activation: BackoffPolicy;
  /** Waiting for a copy the destination's cloud makes itself: as long as the copy of the bytes. */
  serverSide: BackoffPolicy;
}

export const DEFAULT_RETRY_POLICIES: RetryPolicies = {
  read: { initialMs: 500, maxMs: 10_000, retries: 5 },
  request: { initialMs: 500, maxMs: 10_000, retries: 4 },
  cleanup: { initialMs: 1000, maxMs: 15_000, retries: 10 },
  activation: { initialMs: 200, maxMs: 5000, retries: 20 },
  serverSide: { initialMs: 200, maxMs: 5000, retries: 720 },
};

export interface CopyRequest {
  source: CopySource;
  destinations: CopyDestination[];
  visibility?: VisibilityPolicy;
  /** The name the copies get; the source's when absent. */
  name?: string;
  /**
   * The copies stay hidden once verified, where the destination hides images: a release's copy,
   * listed only once its wave gives it the stable name.
   */
  hidden?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: TransferProgress) => void;
  progressIntervalMs?: number;
  /** Bandwidth cap on the source read, in bytes per second. */
  rateLimit?: number;
  /** How long a destination may accept no data before it is dropped as failed (default 120 s). */
  stallTimeoutMs?: number;
  retry?: Partial<RetryPolicies>;
}

export type DestinationOutcome = 'copied' | 'present' | 'failed';

export interface DestinationResult {
  key: string;
  outcome: DestinationOutcome;
  /** The copy on the destination (made, or found present). */
  imageId?: string;
  /** Bytes handed to this destination. */
  bytes: number;
  error?: CloudError;
  /** An image Glint made for a failed copy and could not delete; the caller must retry the delete. */
  leftoverImageId?: string;
  /** How the bytes went, for a copy made or tried: streamed through Glint, or inside the clouds. */
  method?: CopyMethod;
  /** How a streamed copy's bytes were proven (see VerificationPlan). */
  verification?: Verification;
}

/**
 * When a copy passed each stage (epoch ms), for whoever accounts for its time: the source looked up
 * (Keystone login included), the destination records created, the first and the last byte sent,
 * every destination active and checked.
 */
export interface CopyStages {
  source?: number;
  created?: number;
  firstByte?: number;
  lastByte?: number;
  verified?: number;
}

export interface CopyResult {
  sourceImageId: string;
  /**
   * The content hash the copies carry, verified against the bytes read; absent only when nothing
   * was read and the source declares none.
   */
  contentHash?: ContentHash;
  bytesRead: number;
  destinations: DestinationResult[];
  stages: CopyStages;
}
