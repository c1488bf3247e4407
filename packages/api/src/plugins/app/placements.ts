import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { CopyJob, DeleteJob } from '@glint/core';
import type { NewJob, PendingJob, Placement, Repositories } from '@glint/store';
import { notFound } from '../../errors';
import { plan, type Plan } from '../../planner';
import type { PlanBody } from '../../schemas/placements';
import type { Caller } from './caller-store';

export interface QueuedWork {
  queueJobId: string;
  operation: 'copy' | 'delete';
}

/**
 * The desired state. Applying records it and writes the jobs in one transaction, then hands the
 * jobs to the outbox, which enqueues them once that committed.
 */
export class PlacementService {
  constructor(private readonly fastify: FastifyInstance) {}

  async plan(caller: Caller, body: PlanBody): Promise<Plan> {
    return this.planOn(this.fastify.repositories, caller, body);
  }

  async apply(caller: Caller, body: PlanBody): Promise<Plan & { jobs: QueuedWork[] }> {
    const outcome = await this.fastify.transaction(async (repositories) => {
      await repositories.placements.lockOwner(caller.userId);
      const planned = await this.planOn(repositories, caller, body);
      const rows = jobRows(caller, planned, body.force ?? false);
      await repositories.placements.record(caller.userId, caller.userId, planned.placements);
      await repositories.jobs.insert(caller.userId, caller.userId, rows);
      if (planned.placements.length > 0)
        await repositories.audit.record({
          ownerId: caller.userId,
          actorId: caller.userId,
          action: 'placements.applied',
          targetType: 'placements',
          targetId: caller.userId,
          details: {
            changes: planned.placements.length,
            copies: planned.copies.length,
            deletes: planned.deletes.length,
            refusals: planned.refusals.length,
          },
        });
      return { planned, rows };
    });
    const jobs = uniqueJobs(outcome.rows);
    await this.fastify.outbox.dispatch(jobs);
    return {
      ...outcome.planned,
      jobs: jobs.map(({ queueJobId, operation }) => ({
        queueJobId,
        operation: operation as QueuedWork['operation'],
      })),
    };
  }

  private async planOn(repositories: Repositories, caller: Caller, body: PlanBody): Promise<Plan> {
    const imageIds = [
      ...new Set(
        'changes' in body ? body.changes.map((c) => c.image) : body.desired.map((d) => d.image),
      ),
    ];
    const facts = await repositories.placements.facts(caller.userId, imageIds);
    const knownImages = new Set(facts.images.map((image) => image.id));
    const knownSites = new Set(facts.sites.map((site) => site.id));
    const missingImage = imageIds.find((id) => !knownImages.has(id));
    if (missingImage) throw notFound('image', missingImage);
    let changes: Placement[];
    if ('changes' in body) {
      changes = body.changes.map((c) => ({ imageId: c.image, siteId: c.site, wanted: c.wanted }));
    } else {
      changes = body.desired.flatMap((row) => {
        const wanted = new Set(row.sites);
        const unknown = row.sites.find((id) => !knownSites.has(id));
        if (unknown) throw notFound('site', unknown);
        return facts.sites.map((site) => ({
          imageId: row.image,
          siteId: site.id,
          wanted: wanted.has(site.id),
        }));
      });
    }
    const missingSite = changes.find((c) => !knownSites.has(c.siteId));
    if (missingSite) throw notFound('site', missingSite.siteId);
    return plan(facts, changes, body.force ?? false);
  }
}

/** The history rows (and outbox payloads) of a plan: one per cell, sharing their queue job's id. */
function jobRows(caller: Caller, planned: Plan, force: boolean): NewJob[] {
  const rows: NewJob[] = [];
  for (const copy of planned.copies) {
    const queueJobId = `copy-${randomUUID()}`;
    const payload: CopyJob = {
      version: 1,
      ownerId: caller.userId,
      imageId: copy.imageId,
      source: copy.source,
      // The new images' ids are fixed now, so a retried job finds what an earlier attempt left.
      destinations: copy.destinations.map((siteId) => ({ siteId, cloudImageId: randomUUID() })),
      visibility: 'private',
      requestedBy: caller.userId,
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
      ownerId: caller.userId,
      imageId: del.imageId,
      siteId: del.siteId,
      cloudImageId: del.cloudImageId,
      force,
      requestedBy: caller.userId,
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

function uniqueJobs(rows: NewJob[]): PendingJob[] {
  const jobs = new Map<string, PendingJob>();
  for (const row of rows) jobs.set(row.queueJobId, row);
  return [...jobs.values()];
}

declare module 'fastify' {
  interface FastifyInstance {
    placements: PlacementService;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('placements', new PlacementService(fastify));
  },
  { name: 'placements', dependencies: ['repositories', 'outbox'] },
);
