import { SCS_PROPERTY_KEYS, type ReleaseEvent, type ScsImageProperties } from '@glint/core';
import {
  copyCapabilities,
  releaseNamingOf,
  versionedName,
  type ReleaseNaming,
  type ReleaseSlot,
} from '@glint/cloud-adapters';
import {
  cancelJobs,
  copyJobsOf,
  dispatchJobs,
  plan,
  planJobs,
  queueJobsOf,
  RELEASES,
  recordedBy,
  repositoriesOn,
  stepsOf,
  withTransaction,
  type NewJob,
  type Repositories,
  type RolloutFacts,
  type RolloutStep,
  type VersionRecord,
} from '@glint/store';
import type { WorkerOptions } from '../workers/worker-options';

/** How long a site's refused delete waits before it is tried again, doubling with each refusal. */
const retryDelayMs = (baseMs: number, attempts: number) =>
  Math.min(3_600_000, baseMs * 2 ** Math.min(attempts, 6));

export interface ReleaseOutcome {
  steps: number;
  /** Steps a site failed; each is tried again on the family's next step. */
  failed: number;
}

/** What one step needs: the family's facts, where to record, and what happened for the events. */
interface Run {
  options: WorkerOptions;
  ownerId: string;
  facts: RolloutFacts;
  repositories: Repositories;
  now: Date;
  slot: ReleaseSlot;
  /** The first wait before a refused delete is tried again. */
  retryBaseMs: number;
  events: ReleaseEvent[];
}

const event = (
  run: Run,
  action: ReleaseEvent['action'],
  version: VersionRecord | null,
  extra: Partial<ReleaseEvent> = {},
): ReleaseEvent => ({
  type: 'release',
  familyId: run.facts.family.id,
  family: run.facts.family.name,
  action,
  versionId: version?.id ?? null,
  version: version?.version ?? null,
  siteIds: [],
  ...extra,
});

/** The SCS-0102 properties a version's image carries: the family's, then the build's own. */
function scsOf(run: Run, version: VersionRecord): ScsImageProperties {
  const all = { ...run.facts.family.properties, ...version.provenance };
  return Object.fromEntries(
    SCS_PROPERTY_KEYS.filter((k) => all[k] !== undefined).map((k) => [k, all[k]]),
  );
}

/**
 * Copies the version to the sites, with the existing copy jobs: from any verified copy of its
 * content, whatever its name, under the name "NAME (VERSION)" and hidden so that no copy takes the
 * stable name, or shows beside it, before its wave switches (promote shows it). Halts the rollout
 * when no site holds a copy to copy from.
 */
async function copyVersion(run: Run, version: VersionRecord, siteIds: string[]): Promise<void> {
  const { options, ownerId, facts } = run;
  const { rows, refusals } = await withTransaction(options.pool, async (repositories) => {
    await repositories.placements.lockOwner(ownerId);
    // The facts said the version was not halted, but a person's halt may have been saved since,
    // and read the version's open copies to cancel before these rows exist: the halt is read
    // again here, on the version's row, locked until the commit. A halt saved first is seen, and
    // nothing is asked for; one saved later waits for the commit, so its read finds these rows,
    // and its cancel, kept in Redis, stops the job even when it reaches the queue after the cancel.
    if (!(await repositories.releases.lockUnhalted(ownerId, version.id)))
      return { rows: [], refusals: [] };
    const planFacts = await repositories.placements.facts(ownerId, [version.imageId]);
    planFacts.copies = facts.copies
      .filter((copy) => copy.imageId === version.imageId)
      .map((copy) => ({
        ...copy,
        protected: false,
        visibility: 'private',
        cloudOwner: null,
        // Sources only: this plan copies and never deletes, which is what these would guard.
        hidden: false,
        managed: true,
      }));
    const changes = siteIds.map((siteId) => ({ imageId: version.imageId, siteId, wanted: true }));
    const planned = plan(planFacts, changes, false, copyCapabilities);
    const names = { [version.imageId]: versionedName(facts.family.stableName, version.version) };
    // Hidden until promoted: a listing shows the stable name's holder, not the versions to come.
    const rows: NewJob[] = planJobs(ownerId, RELEASES, planned, false, { names, hidden: true });
    await repositories.jobs.insert(ownerId, null, rows);
    return { rows, refusals: planned.refusals };
  });
  await dispatchJobs(options.queues, run.repositories.jobs, options.publish, queueJobsOf(rows));
  if (refusals.length > 0 && rows.length === 0) {
    const reason = `cannot copy version ${version.version}: ${refusals[0]!.message}`;
    await run.repositories.releases.updateVersion(ownerId, version.id, { haltedReason: reason });
    run.events.push(event(run, 'halted', version, { reason }));
  }
}

/** The site's release naming, for the length of `work`. */
async function withNaming<T>(
  run: Run,
  siteId: string,
  work: (naming: ReleaseNaming) => Promise<T>,
): Promise<T> {
  const adapter = await run.options.adapters.open(run.ownerId, siteId);
  try {
    return await work(releaseNamingOf(adapter));
  } finally {
    await adapter.close();
  }
}

/**
 * Gives the version the stable name on the site. The adapter's promote makes the new holder
 * listed under the stable name first and only then renames and hides the old one, so a lookup in
 * between finds two, never none (OpenStack); on EC2 one parameter write moves it. Every image it
 * demoted is recorded hidden under its version.
 */
async function promote(run: Run, step: Extract<RolloutStep, { kind: 'promote' }>): Promise<void> {
  const { version, siteId, cloudImageId } = step;
  const result = await withNaming(run, siteId, (naming) =>
    naming.promote({
      slot: run.slot,
      image: { imageId: cloudImageId, version: version.version },
      scs: scsOf(run, version),
    }),
  );
  const { releases } = run.repositories;
  for (const demoted of result.demoted) {
    const copy = run.facts.copies.find(
      (c) => c.siteId === siteId && c.cloudImageId === demoted.imageId,
    );
    const held = run.facts.stages.find(
      (s) => s.siteId === siteId && s.cloudImageId === demoted.imageId,
    );
    const old = run.facts.versions.find(
      (v) => v.imageId === copy?.imageId || v.id === held?.versionId,
    );
    if (old)
      await releases.setStage(run.ownerId, {
        versionId: old.id,
        siteId,
        stage: 'hidden',
        cloudImageId: demoted.imageId,
      });
  }
  // Recorded after the versions it demoted, so whoever reads it stable reads them hidden.
  await releases.setStage(run.ownerId, {
    versionId: version.id,
    siteId,
    stage: 'stable',
    cloudImageId,
  });
  run.events.push(event(run, 'switched', version, { siteIds: [siteId] }));
}

/** Deletes a retired version's copy; a refusal that may pass leaves it hidden and `retiring`. */
async function remove(run: Run, step: Extract<RolloutStep, { kind: 'delete' }>): Promise<void> {
  const { version, siteId, cloudImageId } = step;
  const image = { imageId: cloudImageId, version: version.version };
  const outcome = await withNaming(run, siteId, (naming) => naming.retire(run.slot, image));
  const { releases, inventory } = run.repositories;
  if (outcome.outcome === 'retiring') {
    const attempts =
      run.facts.stages.find((s) => s.versionId === version.id && s.siteId === siteId)?.attempts ??
      0;
    await releases.setStage(run.ownerId, {
      versionId: version.id,
      siteId,
      stage: 'retiring',
      cloudImageId,
      error: `${outcome.reason}: ${outcome.detail}`,
      nextAttemptAt: new Date(
        run.now.getTime() + retryDelayMs(run.retryBaseMs, attempts),
      ).toISOString(),
    });
    run.events.push(event(run, 'retiring', version, { siteIds: [siteId], reason: outcome.detail }));
    return;
  }
  await releases.setStage(run.ownerId, {
    versionId: version.id,
    siteId,
    stage: 'deleted',
    cloudImageId,
  });
  await inventory.forget(run.ownerId, siteId, cloudImageId);
  run.events.push(event(run, 'deleted', version, { siteIds: [siteId] }));
}

/**
 * Cancels the halted version's copies under way, as their owner's cancel would: recorded halted
 * first, no step asks for them again, and a resume asks for what is still missing.
 */
async function cancelCopies(run: Run, step: Extract<RolloutStep, { kind: 'halt' }>) {
  const { control, queues, publish } = run.options;
  await cancelJobs(
    (kind, ids) => control.requestCancel(queues.queue(kind), ids, RELEASES),
    run.repositories.jobs,
    publish,
    run.ownerId,
    copyJobsOf(step.cancels),
  );
}

async function runStep(run: Run, step: RolloutStep): Promise<void> {
  const { releases } = run.repositories;
  const { version } = step;
  const recorded = recordedBy(step, run.now);
  if (recorded) await releases.updateVersion(run.ownerId, version.id, recorded);
  switch (step.kind) {
    case 'halt':
      run.events.push(event(run, 'halted', version, { reason: step.reason }));
      return cancelCopies(run, step);
    case 'copy':
      return copyVersion(run, version, step.siteIds);
    case 'promote':
      return promote(run, step);
    case 'wave-done':
      return;
    case 'next-wave':
      return void run.events.push(event(run, 'wave-started', version, { wave: step.wave }));
    case 'retire':
      return void run.events.push(event(run, 'retired', version));
    case 'demote':
      await withNaming(run, step.siteId, (naming) =>
        naming.demote(run.slot, { imageId: step.cloudImageId, version: version.version }),
      );
      await releases.setStage(run.ownerId, { ...step, versionId: version.id, stage: 'hidden' });
      return;
    case 'delete':
      return remove(run, step);
  }
}

/** Takes one step; a failure is logged in the events and noted on its site. Returns whether it failed. */
async function takeStep(run: Run, step: RolloutStep): Promise<boolean> {
  try {
    await runStep(run, step);
    return false;
  } catch (error) {
    const siteIds = 'siteId' in step ? [step.siteId] : [];
    const reason = `${step.kind} failed: ${(error as Error).message}`;
    if ('siteId' in step)
      await run.repositories.releases.noteError(run.ownerId, step.version.id, step.siteId, reason);
    run.events.push(event(run, 'failed', step.version, { siteIds, reason }));
    return true;
  }
}

/**
 * The steps in the order they are taken: a wave's switches, each on a site of its own, together
 * (so a wave's sites switch at about the same moment, and a slow site holds up none of the
 * others), every other step alone.
 */
function batchesOf(steps: RolloutStep[]): RolloutStep[][] {
  const batches: RolloutStep[][] = [];
  for (const step of steps) {
    const last = batches.at(-1);
    if (step.kind === 'promote' && last?.[0]?.kind === 'promote') last.push(step);
    else batches.push([step]);
  }
  return batches;
}

/**
 * Takes every step due now in the family's rollout and retirement. A step a site fails is logged
 * in the events and taken again next time; it never holds up the other sites' steps.
 */
export async function advanceRelease(
  options: WorkerOptions,
  ownerId: string,
  familyId: string,
  /** The first wait before a delete a site refused is tried again (the release interval). */
  retryBaseMs: number,
  now = new Date(),
): Promise<ReleaseOutcome> {
  const repositories = repositoriesOn(options.pool);
  const facts = await repositories.releases.rolloutFacts(ownerId, familyId);
  if (!facts) return { steps: 0, failed: 0 };
  const { family } = facts;
  const slot = { family: family.name, channel: family.follows, stableName: family.stableName };
  const run: Run = { options, ownerId, facts, repositories, now, slot, retryBaseMs, events: [] };
  const steps = stepsOf(facts, now);
  let failed = 0;
  for (const batch of batchesOf(steps))
    for (const failure of await Promise.all(batch.map((step) => takeStep(run, step))))
      if (failure) failed++;
  const siteIds = [...new Set(run.events.flatMap((e) => e.siteIds))];
  await options.publish(ownerId, [
    ...run.events,
    ...(siteIds.length > 0 ? [{ type: 'cells' as const, siteIds }] : []),
  ]);
  return { steps: steps.length, failed };
}
