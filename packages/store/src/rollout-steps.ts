import { siteMatches, type RolloutPolicy } from '@glint/core';
import type {
  CopyAttempt,
  RolloutFacts,
  RolloutSite,
  VersionCopy,
  VersionRecord,
} from './repositories';
import type { JobToCancel } from './outbox';

/** Who the rollout's copy jobs say asked for them. */
export const RELEASES = 'glint-releases';

/** One thing a family's step does; the daemon carries them out in this order. */
export type RolloutStep =
  /** `cancels`: the version's copies still under way, which the halt cancels (openCopiesOf). */
  | { kind: 'halt'; version: VersionRecord; reason: string; cancels: CopyAttempt[] }
  | { kind: 'copy'; version: VersionRecord; siteIds: string[] }
  | { kind: 'promote'; version: VersionRecord; siteId: string; cloudImageId: string }
  | { kind: 'wave-done'; version: VersionRecord }
  | { kind: 'next-wave'; version: VersionRecord; wave: number }
  | { kind: 'retire'; version: VersionRecord }
  | { kind: 'demote'; version: VersionRecord; siteId: string; cloudImageId: string }
  | { kind: 'delete'; version: VersionRecord; siteId: string; cloudImageId: string };

/** The queue jobs of copies, each once however many of its destinations are among them. */
export function copyJobsOf(copies: CopyAttempt[]): JobToCancel[] {
  const jobs = new Map<string, JobToCancel>();
  for (const copy of copies) {
    const job = jobs.get(copy.queueJobId);
    if (job) job.siteIds.push(copy.siteId);
    else
      jobs.set(copy.queueJobId, {
        queueJobId: copy.queueJobId,
        operation: 'copy',
        imageId: copy.imageId,
        siteIds: [copy.siteId],
      });
  }
  return [...jobs.values()];
}

/**
 * The target sites in waves: each joins the first wave whose selector matches it, and those no
 * wave matches form the last. Empty waves are left out, so a wave always has a site.
 */
export function wavesOf(policy: RolloutPolicy, sites: RolloutSite[]): string[][] {
  const targets = sites.filter((site) => siteMatches(policy.sites, site));
  const waves: string[][] = policy.waves.map(() => []);
  const rest: string[] = [];
  for (const site of targets) {
    const wave = policy.waves.findIndex((selector) => siteMatches(selector, site));
    (wave < 0 ? rest : waves[wave]!).push(site.id);
  }
  return [...waves, rest].filter((wave) => wave.length > 0);
}

/** The version whose copies should hold the stable name: the followed channel's, else latest's. */
export function targetOf(facts: RolloutFacts): VersionRecord | undefined {
  const channel =
    facts.channels.find((c) => c.name === facts.family.follows) ??
    facts.channels.find((c) => c.name === 'latest');
  return facts.versions.find((v) => v.id === channel?.versionId);
}

const key = (versionId: string, siteId: string) => `${versionId}/${siteId}`;

/**
 * The copies of the version the rollout asked for that are still queued or running: what a halt
 * cancels. A cancelled copy ends `cancelled`, not `failed`, so it counts toward no threshold, and a
 * resume asks for it again like any copy asked for before it.
 */
export function openCopiesOf(facts: RolloutFacts, version: VersionRecord): CopyAttempt[] {
  return facts.attempts.filter(
    (attempt) =>
      attempt.imageId === version.imageId &&
      attempt.requestedBy === RELEASES &&
      (attempt.state === 'queued' || attempt.state === 'running'),
  );
}

/** The facts looked up by version and site. */
function indexOf(facts: RolloutFacts) {
  const copies = new Map<string, VersionCopy>();
  for (const copy of facts.copies) {
    const version = facts.versions.find((v) => v.imageId === copy.imageId);
    const at = version && key(version.id, copy.siteId);
    // An active copy counts over a half-made one.
    if (at && copy.active && (!copies.has(at) || !copies.get(at)!.active)) copies.set(at, copy);
  }
  const stages = new Map(facts.stages.map((s) => [key(s.versionId, s.siteId), s]));
  // Inventories list hidden copies too (os_hidden=true), but a step may come before the next
  // inventory saw what the last one did: where Glint's own record says it holds or hid a copy,
  // that copy counts (it was verified before).
  for (const stage of facts.stages) {
    const version = facts.versions.find((v) => v.id === stage.versionId);
    const at = key(stage.versionId, stage.siteId);
    if (version && stage.cloudImageId && stage.stage !== 'deleted' && !copies.has(at))
      copies.set(at, {
        imageId: version.imageId,
        siteId: stage.siteId,
        cloudImageId: stage.cloudImageId,
        name: '',
        active: true,
        verified: true,
      });
  }
  // A copy asked for before a person resumed the rollout no longer counts: it is tried again.
  const attempts = new Map<string, RolloutFacts['attempts'][number]>();
  for (const attempt of facts.attempts) {
    const version = facts.versions.find((v) => v.imageId === attempt.imageId);
    const stale =
      version?.resumedAt != null && Date.parse(attempt.createdAt) < Date.parse(version.resumedAt);
    if (version && !stale) attempts.set(key(version.id, attempt.siteId), attempt);
  }
  const siteNames = new Map(facts.sites.map((site) => [site.id, site.name]));
  return { copies, stages, attempts, siteNames };
}

type Index = ReturnType<typeof indexOf>;

/** A wave's sites still without a copy of `target`: those whose copy failed, and those to copy now. */
function missingOf(index: Index, target: VersionRecord, wave: string[]) {
  const missing = wave.filter((siteId) => !index.copies.has(key(target.id, siteId)));
  const stateOf = (siteId: string) => index.attempts.get(key(target.id, siteId))?.state ?? '';
  const failed = missing.filter((siteId) => stateOf(siteId) === 'failed');
  // A copy queued or running is waited for, a failed one is left for a person's resume.
  const toCopy = missing.filter(
    (siteId) => !['failed', 'queued', 'running'].includes(stateOf(siteId)),
  );
  return { missing, failed, toCopy };
}

/**
 * The steps of one wave of `target`'s rollout: a halt when more of its sites' copies failed than
 * the policy tolerates, and once every other site holds a verified copy, the stable name switched
 * on each of them. The sites still to copy go to `copies`. Returns whether the wave is complete,
 * or that it halted.
 */
function waveSteps(
  facts: RolloutFacts,
  index: Index,
  target: VersionRecord,
  /** The wave's index: an earlier wave than the version's may fail too, after a rollback. */
  n: number,
  wave: string[],
  copies: string[],
  steps: RolloutStep[],
): boolean | 'halted' {
  const { missing, failed, toCopy } = missingOf(index, target, wave);
  if (failed.length / wave.length > facts.family.failureThreshold) {
    const why = failed.map(
      (siteId) =>
        `${index.siteNames.get(siteId) ?? siteId}: ${index.attempts.get(key(target.id, siteId))?.error ?? 'failed'}`,
    );
    steps.push({
      kind: 'halt',
      version: target,
      reason: `${failed.length} of ${wave.length} sites of wave ${n + 1} failed, over the threshold of ${facts.family.failureThreshold * 100}% (${why.join('; ')}); fix them and resume`,
      cancels: openCopiesOf(facts, target),
    });
    return 'halted';
  }
  copies.push(...toCopy);
  if (missing.length > failed.length) return false;
  // The wave is present and verified everywhere it could be: its sites switch together.
  for (const siteId of wave) {
    const copy = index.copies.get(key(target.id, siteId));
    if (copy && index.stages.get(key(target.id, siteId))?.stage !== 'stable')
      steps.push({ kind: 'promote', version: target, siteId, cloudImageId: copy.cloudImageId });
  }
  return true;
}

/**
 * The waves up to the current one, and the start of the next when due. A wave done while no soak
 * or person holds the next one back starts it in the same pass, whose sites then switch at once
 * if they hold their copies (pre-staged), rather than a step later each. Returns the wave it
 * reached, or false when the rollout halted, so that it asks for no copies.
 */
function waveByWave(
  facts: RolloutFacts,
  index: Index,
  target: VersionRecord,
  waves: string[][],
  now: Date,
  copies: string[],
  steps: RolloutStep[],
): number | false {
  let current = target.wave;
  let doneAt = target.waveDoneAt;
  for (const [n, wave] of waves.entries()) {
    if (n > current) break;
    const done = waveSteps(facts, index, target, n, wave, copies, steps);
    if (done === 'halted') return false;
    if (!done) break;
    if (n < current) continue;
    if (doneAt === null) {
      steps.push({ kind: 'wave-done', version: target });
      doneAt = now.toISOString();
    }
    const soaked = Date.parse(doneAt) + facts.family.soakSeconds * 1000 <= now.getTime();
    const allowed = !facts.family.manualWaves || target.promotedWave > n;
    if (n + 1 < waves.length && soaked && allowed) {
      steps.push({ kind: 'next-wave', version: target, wave: n + 1 });
      [current, doneAt] = [n + 1, null];
    }
  }
  return current;
}

/**
 * The rollout's steps. The waves gate the stable name; with `prestage` they do not gate the bytes:
 * the later waves' sites are copied to at once, with the current wave's, in one copy (the source
 * read once), so that a wave's switch waits for no copy once the wave before it is done. A later
 * wave's failed copy is judged against the threshold only once that wave is current, so it never
 * halts an earlier one; a halted rollout asks for no copy at all.
 */
function rolloutSteps(facts: RolloutFacts, index: Index, now: Date, steps: RolloutStep[]): void {
  const target = targetOf(facts);
  if (!target || target.haltedReason !== null) return;
  const waves = wavesOf(facts.family, facts.sites);
  const copies: string[] = [];
  const current = waveByWave(facts, index, target, waves, now, copies, steps);
  if (current === false) return;
  if (facts.family.prestage)
    for (const wave of waves.slice(current + 1))
      copies.push(...missingOf(index, target, wave).toCopy);
  if (copies.length > 0) steps.push({ kind: 'copy', version: target, siteIds: copies });
}

/**
 * The versions retention keeps: those a channel points at, those still holding the stable name
 * somewhere (a rollout that has not reached every site), and those the policy keeps.
 */
function keptVersions(facts: RolloutFacts, now: Date): Set<string> {
  const kept = new Set(facts.channels.map((c) => c.versionId));
  for (const stage of facts.stages) if (stage.stage === 'stable') kept.add(stage.versionId);
  const { keepMode, keepLast } = facts.family;
  for (const [n, version] of facts.versions.entries()) {
    const until = version.provenance.provided_until ?? facts.family.properties.provided_until;
    const expired = until !== undefined && Date.parse(until) < now.getTime();
    if (keepMode === 'forever' || (keepMode === 'last' && n < keepLast)) kept.add(version.id);
    else if (keepMode === 'until' && !expired) kept.add(version.id);
  }
  return kept;
}

/**
 * Retention's steps: a version out of retention is hidden on every site first, then deleted once
 * its grace period is over. A delete a site refused (`retiring`) is tried again at its time and
 * holds nothing else up. Nothing a channel points at is ever deleted, so no delete can remove the
 * only verified copy of such a version.
 */
function retentionSteps(facts: RolloutFacts, index: Index, now: Date, steps: RolloutStep[]): void {
  const kept = keptVersions(facts, now);
  for (const version of facts.versions) {
    if (kept.has(version.id)) continue;
    const copies = facts.sites.flatMap((site) => {
      const copy = index.copies.get(key(version.id, site.id));
      return copy ? [{ siteId: site.id, cloudImageId: copy.cloudImageId }] : [];
    });
    if (version.retiredAt === null) {
      steps.push({ kind: 'retire', version });
      for (const copy of copies)
        if (index.stages.get(key(version.id, copy.siteId))?.stage !== 'hidden')
          steps.push({ kind: 'demote', version, ...copy });
      continue;
    }
    if (Date.parse(version.retiredAt) + facts.family.graceSeconds * 1000 > now.getTime()) continue;
    for (const copy of copies) {
      const stage = index.stages.get(key(version.id, copy.siteId));
      const due =
        stage?.stage !== 'retiring' || Date.parse(stage.nextAttemptAt ?? '') <= now.getTime();
      if (due) steps.push({ kind: 'delete', version, ...copy });
    }
  }
}

/** Everything due now in a family: its rollout's steps, then its retention's. */
export function stepsOf(facts: RolloutFacts, now: Date): RolloutStep[] {
  const index = indexOf(facts);
  const steps: RolloutStep[] = [];
  rolloutSteps(facts, index, now, steps);
  retentionSteps(facts, index, now, steps);
  return steps;
}
