export { siteImageFrom, takeInventory } from './inventory';
export { SiteAdapters } from './site-adapter';
export { SiteGoneError } from './site-gone-error';
export type { WorkerOptions } from './workers/worker-options';
export { inventoryWorker } from './workers/inventory';
export { reconcileWorker } from './workers/reconcile';
export { reconcile, RECONCILER, type ReconcileOutcome } from './reconciler';
export { displayUrl, fetchImage, ImageFetchError } from './image-fetch';
export { transferWorker, type TransferWorkerOptions } from './workers/transfer';
export type { DestinationOutcome, TransferOutcome } from './workers/transfer-kind';
export { deleteWorker, type DeleteOutcome } from './workers/delete';
export { clearEarlierCopies, copyImageId } from './copy-image-ids';
export { SiteSlots, type SiteLease } from './site-slots';
export { enqueueDueInventories, scheduleInventories } from './inventory-schedule';
export {
  confirmRunningJobs,
  recoverLostJobs,
  scheduleRecovery,
  type Recovery,
} from './queue-recovery';
export { JobControl } from './job-control';
export { loadDaemonConfig, type DaemonConfig } from './config';
export {
  startDaemon,
  transferWorkerOn,
  workerResources,
  type RunningDaemon,
  type WorkerResources,
} from './daemon';
export { advanceRelease, type ReleaseOutcome } from './releases/rollout';
export { enqueueReleaseSteps, releaseWorker, scheduleReleases } from './releases/release-worker';
