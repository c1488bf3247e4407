import { randomUUID } from 'node:crypto';
import type { CopyJob, DeleteJob } from '@glint/core';
import type { Plan } from './planner';
import type { NewJob, PendingJob } from './repositories';

/**
 * The history rows (and outbox payloads) of a plan: one per cell, sharing their queue job's id.
 * `requestedBy` names who asked, in the payload's terms: a user id, or the daemon for self-healing.
 * `copyAs` gives the copies of some images a name of their own (a release's "NAME (VERSION)"), and
 * keeps the copies hidden once verified (a release's, until their wave gives them the stable name).
 */
export function planJobs(
  ownerId: string,
  requestedBy: string,
  planned: Pick<Plan, 'copies' | 'deletes'>,
  force: boolean,
  copyAs: { names?: Record<string, string>; hidden?: boolean } = {},
): NewJob[] {
  const { names = {}, hidden } = copyAs;
  const rows: NewJob[] = [];
  for (const copy of planned.copies) {
    const queueJobId = `copy-${randomUUID()}`;
    const payload: CopyJob = {
      version: 1,
      ownerId,
      imageId: copy.imageId,
      source: copy.source,
      // The new images' ids are fixed now, so a retried job finds what an earlier attempt left.
      destinations: copy.destinations.map((siteId) => ({ siteId, cloudImageId: randomUUID() })),
      visibility: 'private',
      ...(names[copy.imageId] && { name: names[copy.imageId] }),
      ...(hidden && { hidden }),
      requestedBy,
    };
    for (const destination of copy.destinations)
      rows.push({
        queueJobId,
        operation: 'copy',
        imageId: copy.imageId,
        sourceSiteId: copy.source.siteId,
        destinationSiteId: destination,
        bytesTotal: copy.bytes,
        payload,
      });
  }
  for (const del of planned.deletes) {
    const payload: DeleteJob = {
      version: 1,
      ownerId,
      imageId: del.imageId,
      siteId: del.siteId,
      cloudImageId: del.cloudImageId,
      force,
      requestedBy,
    };
    rows.push({
      queueJobId: `delete-${randomUUID()}`,
      operation: 'delete',
      imageId: del.imageId,
      sourceSiteId: null,
      destinationSiteId: del.siteId,
      bytesTotal: null,
      payload,
    });
  }
  return rows;
}

/** The queue jobs of history rows: one per queue job id, however many cells share it. */
export function queueJobsOf(rows: NewJob[]): PendingJob[] {
  const jobs = new Map<string, PendingJob>();
  for (const row of rows) jobs.set(row.queueJobId, row);
  return [...jobs.values()];
}
