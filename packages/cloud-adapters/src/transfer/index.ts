export { copyFromStream, copyImage, DEFAULT_RETRY_POLICIES } from './engine';
export type {
  CopyDestination,
  CopyRequest,
  CopyResult,
  CopyStages,
  CopySource,
  DestinationOutcome,
  DestinationResult,
  RetryPolicies,
  StreamCopyRequest,
} from './engine';
export type { DestinationProgress, TransferProgress } from './progress';
export type { VisibilityPolicy } from './metadata';
