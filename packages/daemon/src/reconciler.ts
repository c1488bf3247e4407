import type { JobQueues, PublishEvents } from '@glint/core';
import { copyCapabilities } from '@glint/cloud-adapters';
import {
  dispatchJobs,
  plan,
  planJobs,
  queueJobsOf,
  reevaluateRules,
  repositoriesOn,
  withTransaction,
  type DriftedCell,
} from '@glint/store';
import type { Pool } from 'pg';

/** Who the reconciler's jobs say asked for them. */
export const RECONCILER = 'glint-reconciler';

export interface ReconcileOutcome {
  /** Cells whose copy differs from the desired state with no job under way. */
  drifted: number;
  /** Copies and deletes enqueued to heal drift, as queue jobs. */
  copies: number;
  deletes: number;
  /** Drifted cells whose policy allowed healing but no job could do it (no source, a safeguard). */
  refused: number;
}

/**
 * Whether the reconciler may heal the cell. A rule's cell always, once its site's first inventory
 * said what it already holds: the rule is a standing order to copy (and, for a pruning rule, to
 * delete), which nobody ticks. A hand tick's cell as its policy
 * says: a wanted copy is restored under `restore` and `restore-and-prune`; an unwanted one is
 * deleted only under `restore-and-prune`. A cell whose last job failed waits for a person to retry
 * it, so healing never loops on a permanent error.
 */
function healable(cell: DriftedCell): boolean {
  if (cell.lastJobFailed) return false;
  if (cell.byRule) return cell.siteInventoried;
  return cell.wanted ? cell.selfHeal !== 'off' : cell.selfHeal === 'restore-and-prune';
}

/**
 * Evaluates the owner's standing rules into their placements (sites and images that appeared or
 * changed labels since are caught here), compares the desired placements with the inventory and
 * enqueues the copies and deletes that heal the drift the owner's rules and policies allow; every
 * drift stays visible on its cell. Runs
 * under the owner's placements lock, as applying does, so two reconciles (or a reconcile and an
 * apply) never plan the same cell twice. Deletes keep every safeguard: never forced.
 */
export async function reconcile(
  pool: Pool,
  queues: JobQueues,
  publish: PublishEvents,
  ownerId: string,
): Promise<ReconcileOutcome> {
  const { drifted, rows, refused } = await withTransaction(pool, async (repositories) => {
    await repositories.placements.lockOwner(ownerId);
    await reevaluateRules(repositories, ownerId);
    const drifted = await repositories.placements.drifted(ownerId);
    const changes = drifted
      .filter(healable)
      .map(({ imageId, siteId, wanted }) => ({ imageId, siteId, wanted }));
    if (changes.length === 0) return { drifted, rows: [], refused: 0 };
    const imageIds = [...new Set(changes.map((change) => change.imageId))];
    const facts = await repositories.placements.facts(ownerId, imageIds);
    const planned = plan(facts, changes, false, copyCapabilities);
    const rows = planJobs(ownerId, RECONCILER, planned, false);
    // Asked for by no user: Glint heals on its own, as the payloads' requestedBy says.
    await repositories.jobs.insert(ownerId, null, rows);
    if (rows.length > 0)
      await repositories.audit.record({
        ownerId,
        actorId: null,
        action: 'placements.healed',
        targetType: 'placements',
        targetId: ownerId,
        details: { copies: planned.copies.length, deletes: planned.deletes.length },
      });
    return { drifted, rows, refused: planned.refusals.length };
  });
  const jobs = queueJobsOf(rows);
  await dispatchJobs(queues, repositoriesOn(pool).jobs, publish, jobs);
  if (drifted.length > 0)
    await publish(ownerId, [
      {
        type: 'cells',
        siteIds: [...new Set(drifted.map((cell) => cell.siteId))],
        imageIds: [...new Set(drifted.map((cell) => cell.imageId))],
      },
    ]);
  return {
    drifted: drifted.length,
    copies: jobs.filter((job) => job.operation === 'copy').length,
    deletes: jobs.filter((job) => job.operation === 'delete').length,
    refused,
  };
}
