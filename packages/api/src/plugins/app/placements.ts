import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { copyCapabilities } from '@glint/cloud-adapters';
import {
  plan,
  planJobs,
  queueJobsOf,
  type Placement,
  type Plan,
  type Repositories,
} from '@glint/store';
import { notFound } from '../../errors';
import type { PlanBody } from '../../schemas/placements';
import type { ProjectCaller } from '../../caller';

export interface QueuedWork {
  id: string;
  operation: 'copy' | 'delete';
}

/**
 * The desired state. Applying records it and writes the jobs in one transaction, then hands the
 * jobs to the outbox, which enqueues them once that committed.
 */
export class PlacementService {
  constructor(private readonly fastify: FastifyInstance) {}

  async plan(caller: ProjectCaller, body: PlanBody): Promise<Plan> {
    return this.planOn(this.fastify.repositories, caller, body);
  }

  async apply(caller: ProjectCaller, body: PlanBody): Promise<Plan & { jobs: QueuedWork[] }> {
    const outcome = await this.fastify.transaction(async (repositories) => {
      await repositories.placements.lockOwner(caller.ownerId);
      const planned = await this.planOn(repositories, caller, body);
      const rows = planJobs(caller.ownerId, caller.userId, planned, body.force ?? false);
      await repositories.placements.record(caller.ownerId, caller.userId, planned.placements);
      await repositories.jobs.insert(caller.ownerId, caller.userId, rows);
      if (planned.placements.length > 0)
        await repositories.audit.record({
          ownerId: caller.ownerId,
          actorId: caller.userId,
          action: 'placements.applied',
          targetType: 'placements',
          targetId: caller.ownerId,
          details: {
            changes: planned.placements.length,
            copies: planned.copies.length,
            deletes: planned.deletes.length,
            refusals: planned.refusals.length,
          },
        });
      return { planned, rows };
    });
    const jobs = queueJobsOf(outcome.rows);
    await this.fastify.outbox.dispatch(jobs);
    return {
      ...outcome.planned,
      jobs: jobs.map(({ queueJobId, operation }) => ({
        id: queueJobId,
        operation: operation as QueuedWork['operation'],
      })),
    };
  }

  private async planOn(
    repositories: Repositories,
    caller: ProjectCaller,
    body: PlanBody,
  ): Promise<Plan> {
    const imageIds = [
      ...new Set(
        'changes' in body ? body.changes.map((c) => c.image) : body.desired.map((d) => d.image),
      ),
    ];
    const facts = await repositories.placements.facts(caller.ownerId, imageIds);
    const knownImages = new Set(facts.images.map((image) => image.id));
    const knownSites = new Set(facts.sites.map((site) => site.id));
    const missingImage = imageIds.find((id) => !knownImages.has(id));
    if (missingImage) throw notFound('image', missingImage);
    let changes: Placement[];
    if ('changes' in body) {
      changes = body.changes.map((c) => ({
        imageId: c.image,
        siteId: c.site,
        wanted: c.wanted,
        ...(c.selfHeal !== undefined && { selfHeal: c.selfHeal }),
      }));
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
    return plan(facts, changes, body.force ?? false, copyCapabilities);
  }
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
