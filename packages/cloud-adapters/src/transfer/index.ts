export { copyImage } from './engine';
export { copyFromStream } from './stream-copy';
export { DEFAULT_RETRY_POLICIES } from './copy-request';
export type {
  CopyDestination,
  CopyRequest,
  CopyResult,
  CopyStages,
  CopySource,
  DestinationOutcome,
  DestinationResult,
  RetryPolicies,
} from './copy-request';
export type { StreamCopyRequest } from './stream-copy';
export type { DestinationProgress, TransferProgress } from './progress';
export type { VisibilityPolicy } from '../adapter';
export { isUnverifiedCopy } from './provisional';
