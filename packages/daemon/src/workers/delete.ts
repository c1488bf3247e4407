import {
  deleteRefusal,
  JOBS,
  LAST_COPY_REFUSAL,
  madeByGlint,
  type DeleteJob,
  type DeleteRefusal,
} from '@glint/core';
import { NotFoundError } from '@glint/cloud-adapters';
import { repositoriesOn, type Repositories } from '@glint/store';
import { Worker, type Job } from 'bullmq';
import { announce } from '../job-reporting';
import {
  admitJob,
  failJob,
  failureOf,
  parsePayload,
  rejectJob,
  startJob,
  type JobCells,
} from './lifecycle';
import type { WorkerOptions } from './worker-options';

export interface DeleteOutcome {
  /** False when the image was gone already, which is as good. */
  deleted: boolean;
}

const ignoreNotFound = (error: unknown) => {
  if (error instanceof NotFoundError) return undefined;
  throw error;
};

/** Another active copy of the image the owner holds, known from the inventory. */
async function hasOtherCopy(repositories: Repositories, payload: DeleteJob): Promise<boolean> {
  const { copies } = await repositories.placements.facts(payload.ownerId, [payload.imageId]);
  return copies.some(
    (copy) =>
      copy.active &&
      !(copy.siteId === payload.siteId && copy.cloudImageId === payload.cloudImageId),
  );
}

/**
 * Deletes the image unless a safeguard forbids it now. The image is read again from the cloud, as
 * it may have been protected or made public since the delete was planned.
 */
async function remove(
  repositories: Repositories,
  options: WorkerOptions,
  payload: DeleteJob,
): Promise<DeleteOutcome | DeleteRefusal> {
  const adapter = await options.adapters.open(payload.ownerId, payload.siteId);
  try {
    const image = await adapter.getImage(payload.cloudImageId).catch(ignoreNotFound);
    if (!image) return { deleted: false };
    const { projectId } = await adapter.validate();
    const refusal =
      deleteRefusal(
        { ...image, cloudOwner: image.owner, managed: madeByGlint(image.properties) },
        projectId,
      ) ??
      (payload.force || (await hasOtherCopy(repositories, payload))
        ? undefined
        : LAST_COPY_REFUSAL);
    if (refusal) return refusal;
    await adapter.deleteImage(payload.cloudImageId).catch(ignoreNotFound);
    return { deleted: true };
  } finally {
    await adapter.close();
  }
}

const deleteCells: JobCells<'delete'> = {
  kind: 'delete',
  imageId: (payload) => payload.imageId,
  siteIds: (payload) => [payload.siteId],
  sitesUsed: (payload) => [payload.siteId],
  rows: (queueJobId, payload) => [
    {
      queueJobId,
      operation: 'delete',
      imageId: payload.imageId,
      sourceSiteId: null,
      destinationSiteId: payload.siteId,
      bytesTotal: null,
      payload,
    },
  ],
};

/** One delete job, start to end. */
async function deleteJob(
  repositories: Repositories,
  options: WorkerOptions,
  job: Job,
): Promise<DeleteOutcome> {
  const { publish } = options;
  if (job.name !== JOBS.delete.name)
    return rejectJob(
      repositories,
      publish,
      job,
      'delete',
      (job.data as { ownerId?: unknown } | null)?.ownerId,
      `no job is called "${job.name}" on ${JOBS.delete.queue}: name it ${JOBS.delete.name}`,
    );
  const payload = await parsePayload(repositories, publish, job, 'delete');
  await admitJob(repositories, publish, job, payload, deleteCells);
  const { audience } = await startJob(repositories, publish, job, payload, deleteCells);
  let outcome: DeleteOutcome | DeleteRefusal;
  try {
    outcome = await remove(repositories, options, payload);
  } catch (error) {
    const failure = failureOf(error);
    options.metrics?.siteOutcome(payload.siteId, 'failed', failure);
    return failJob(repositories, job, audience, failure);
  }
  options.metrics?.siteOutcome(payload.siteId, 'succeeded');
  if ('reason' in outcome)
    return failJob(repositories, job, audience, { message: outcome.message, retryable: false });
  await repositories.inventory.forget(payload.ownerId, payload.siteId, payload.cloudImageId);
  await repositories.jobs.markFinished(job.id!, null, {
    state: 'succeeded',
    bytesDone: 0,
    error: null,
  });
  await options.publish(payload.ownerId, [
    { type: 'cells', siteIds: [payload.siteId], imageIds: [payload.imageId] },
  ]);
  await announce(job, audience, 'succeeded');
  return outcome;
}

/** The `delete` queue's worker: one image off one site, the safeguards checked again first. */
export function deleteWorker(options: WorkerOptions): Worker<unknown, DeleteOutcome> {
  const repositories = repositoriesOn(options.pool);
  return new Worker<unknown, DeleteOutcome>(
    JOBS.delete.queue,
    async (job) => {
      // Registered while it runs, so that the recovery check never takes it for lost. A delete is
      // one call to the cloud: a cancel request does not stop it.
      const running = await options.control.start(job.id!);
      try {
        return await deleteJob(repositories, options, job);
      } finally {
        running.done();
      }
    },
    { ...options.bullmq, concurrency: 4 },
  );
}
