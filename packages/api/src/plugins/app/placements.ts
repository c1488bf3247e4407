import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { copyCapabilities } from '@glint/cloud-adapters';
import {
  plan,
  planJobs,
  reevaluateRules,
  queueJobsOf,
  type Placement,
  type Plan,
  type Repositories,
} from '@glint/store';
import { ApiError, notFound } from '../../errors';
import type { PlanBody } from '../../schemas/placements';
import type { ProjectCaller } from '../../caller';

type Cell = { imageId: string; siteId: string };

/** A plan, with the hand-decided cells it gives back to the rules. */
type GivingPlan = Plan & { givenBack: Cell[] };

const cellKey = (cell: Cell) => `${cell.imageId}/${cell.siteId}`;

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

  async plan(caller: ProjectCaller, body: PlanBody): Promise<GivingPlan> {
    return this.planOn(this.fastify.repositories, caller, body);
  }

  async apply(caller: ProjectCaller, body: PlanBody): Promise<GivingPlan & { jobs: QueuedWork[] }> {
    const outcome = await this.fastify.transaction(async (repositories) => {
      await repositories.placements.lockOwner(caller.ownerId);
      const planned = await this.planOn(repositories, caller, body);
      const rows = planJobs(caller.ownerId, caller.userId, planned, body.force ?? false);
      // A cell given back is planned as its rule wants it, but its row is the rule's, not a hand's.
      const given = new Set(planned.givenBack.map(cellKey));
      await repositories.placements.record(
        caller.ownerId,
        caller.userId,
        planned.placements.filter((placement) => !given.has(cellKey(placement))),
      );
      await repositories.placements.clearHand(caller.ownerId, planned.givenBack);
      const ruled =
        given.size > 0 ? await reevaluateRules(repositories, caller.ownerId) : ([] as Cell[]);
      await repositories.jobs.insert(caller.ownerId, caller.userId, rows);
      if (planned.placements.length > 0 || given.size > 0)
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
            givenBack: given.size,
          },
        });
      return { planned, rows, cells: [...planned.givenBack, ...ruled] };
    });
    const jobs = queueJobsOf(outcome.rows);
    await this.fastify.outbox.dispatch(jobs);
    // Cells given back show their rule at once, even where no job follows.
    if (outcome.cells.length > 0)
      await this.fastify.events.publish(caller.ownerId, [
        {
          type: 'cells',
          siteIds: [...new Set(outcome.cells.map((cell) => cell.siteId))],
          imageIds: [...new Set(outcome.cells.map((cell) => cell.imageId))],
        },
      ]);
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
  ): Promise<GivingPlan> {
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
    let givenBack: Cell[] = [];
    if ('changes' in body) {
      ({ changes, givenBack } = await this.changesOf(repositories, caller, body.changes));
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
    const sites = [
      ...changes.map((c) => c.siteId),
      ...('changes' in body ? body.changes.map((c) => c.site) : []),
    ];
    const missingSite = sites.find((id) => !knownSites.has(id));
    if (missingSite) throw notFound('site', missingSite);
    return { ...plan(facts, changes, body.force ?? false, copyCapabilities), givenBack };
  }

  /**
   * The hand changes to plan, and the hand-decided cells given back to the rules (wanted null).
   * Such a cell is planned as the rule its hand row overrides wants it (every rule wants the cells
   * it implies); with no rule, nothing is to be done: it is merely no longer decided.
   */
  private async changesOf(
    repositories: Repositories,
    caller: ProjectCaller,
    body: Extract<PlanBody, { changes: unknown }>['changes'],
  ): Promise<{ changes: Placement[]; givenBack: Cell[] }> {
    const policyOnNull = body.find((c) => c.wanted === null && c.selfHeal !== undefined);
    if (policyOnNull)
      throw new ApiError(
        400,
        'invalid_change',
        `the change of image ${policyOnNull.image} on site ${policyOnNull.site} gives the cell back to the rules (wanted null) and sets selfHeal: leave selfHeal out, since rules' cells always heal, or send wanted true or false`,
      );
    const changes: Placement[] = [];
    const giving: Cell[] = [];
    for (const c of body) {
      if (c.wanted === null) giving.push({ imageId: c.image, siteId: c.site });
      else
        changes.push({
          imageId: c.image,
          siteId: c.site,
          wanted: c.wanted,
          ...(c.selfHeal !== undefined && { selfHeal: c.selfHeal }),
        });
    }
    const handRows = await repositories.placements.handRows(caller.ownerId, giving);
    for (const row of handRows)
      if (row.rule !== null)
        changes.push({ imageId: row.imageId, siteId: row.siteId, wanted: true });
    return {
      changes,
      givenBack: handRows.map(({ imageId, siteId }) => ({ imageId, siteId })),
    };
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
  { name: 'placements', dependencies: ['repositories', 'outbox', 'events'] },
);
