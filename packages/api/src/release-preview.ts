/**
 * A rollout action's plan: the action applied to the family's facts in memory, and the rollout's
 * own steps (stepsOf, which the daemon takes) run on the facts before and after, so the plan says
 * what the daemon will do next and what the action keeps it from doing. Nothing is recorded.
 */
import {
  type CopyAttempt,
  recordedBy,
  stepsOf,
  wavesOf,
  type RolloutFacts,
  type RolloutStep,
  type VersionRecord,
} from '@glint/store';
import { appliedTo, type RolloutChange } from './release-actions';
import type { PlannedChange, ReleasePlan } from './schemas/release-plans';

type SiteStep = Extract<RolloutStep, { kind: 'copy' | 'promote' | 'demote' | 'delete' }>;

const stepKey = (step: RolloutStep) =>
  [
    step.kind,
    step.version.id,
    'siteId' in step ? step.siteId : '',
    'siteIds' in step ? step.siteIds : '',
  ]
    .flat()
    .join('/');

/**
 * The steps due now, and those a done wave lets follow: the daemon records a wave done and starts
 * the next in steps that touch no site, so they are applied in memory (as the daemon records them)
 * and the steps run again, until no wave moves on (a soak still running stops it, as it does the
 * daemon). Without this a wave let start would show no site it copies to.
 */
function stepsAhead(facts: RolloutFacts, now: Date): RolloutStep[] {
  const steps = new Map<string, RolloutStep>();
  let current = facts;
  // Two rounds a wave (done, next), for at most every wave and the rest.
  for (let round = 0; round < 2 * (facts.family.waves.length + 2); round++) {
    const due = stepsOf(current, now);
    for (const step of due) if (!steps.has(stepKey(step))) steps.set(stepKey(step), step);
    const waves = due.filter((step) => step.kind === 'wave-done' || step.kind === 'next-wave');
    if (waves.length === 0) break;
    current = {
      ...current,
      versions: current.versions.map((v) =>
        waves.reduce(
          (o, step) => (step.version.id === v.id ? { ...o, ...recordedBy(step, now) } : o),
          v,
        ),
      ),
    };
  }
  return [...steps.values()];
}

/** The version holding the stable name on the site, as Glint recorded its switches. */
const holderOf = (facts: RolloutFacts, siteId: string) =>
  facts.versions.find((v) =>
    facts.stages.some((s) => s.siteId === siteId && s.versionId === v.id && s.stage === 'stable'),
  );

/** One site's part of a step, in the reply's words. */
function changesOf(facts: RolloutFacts, step: SiteStep, siteId: string): PlannedChange[] {
  const name = facts.family.stableName;
  const { version } = step;
  const change = (kind: PlannedChange['kind'], of: VersionRecord, text: string) => ({
    kind,
    version: of.version,
    bytes: kind === 'copy' ? of.size : null,
    text,
  });
  switch (step.kind) {
    case 'copy':
      return [
        change(
          'copy',
          version,
          `${version.version} is copied here${version.size === null ? '' : ` (${version.size} bytes)`}, then takes “${name}” once its wave holds it everywhere`,
        ),
      ];
    case 'promote': {
      const old = holderOf(facts, siteId);
      return [
        change('switch', version, `${version.version} takes “${name}”`),
        ...(old && old.id !== version.id
          ? [change('hide', old, `${old.version} becomes “${name} (${old.version})”, hidden`)]
          : []),
      ];
    }
    case 'demote':
      return [
        change(
          'hide',
          version,
          `${version.version} becomes “${name} (${version.version})”, hidden`,
        ),
      ];
    case 'delete':
      return [change('delete', version, `${version.version} is deleted here`)];
  }
}

/** A copy under way that a halt cancels, on its site. */
function cancelOf(facts: RolloutFacts, copy: CopyAttempt): PlannedChange {
  const version = facts.versions.find((v) => v.imageId === copy.imageId)!.version;
  const state = copy.state === 'running' ? 'running' : 'queued';
  return {
    kind: 'cancel',
    version,
    bytes: null,
    text: `the ${state} copy of ${version} (job ${copy.queueJobId}) is cancelled${state === 'running' ? ' and what it wrote is removed' : ''}`,
    job: { id: copy.queueJobId, state },
  };
}

/** Each site's changes among the steps, and the copies the action itself cancels. */
function bySite(
  facts: RolloutFacts,
  steps: RolloutStep[],
  cancels: CopyAttempt[] = [],
): Map<string, PlannedChange[]> {
  const sites = new Map<string, PlannedChange[]>();
  const add = (siteId: string, changes: PlannedChange[]) =>
    sites.set(siteId, [...(sites.get(siteId) ?? []), ...changes]);
  const halts = steps.flatMap((step) => (step.kind === 'halt' ? step.cancels : []));
  for (const copy of [...cancels, ...halts]) add(copy.siteId, [cancelOf(facts, copy)]);
  for (const step of steps) {
    if (step.kind === 'copy')
      for (const siteId of step.siteIds) add(siteId, changesOf(facts, step, siteId));
    else if ('siteId' in step) add(step.siteId, changesOf(facts, step, step.siteId));
  }
  return sites;
}

/** A step on the family as a whole, in words. */
function familyStep(step: RolloutStep): ReleasePlan['steps'][number] | null {
  const { version } = step;
  const of = { version: version.version };
  switch (step.kind) {
    case 'halt':
      return {
        kind: 'halt',
        ...of,
        text: `The rollout of ${version.version} halts: ${step.reason}`,
      };
    case 'wave-done':
      return {
        kind: 'wave-done',
        ...of,
        text: `Wave ${version.wave + 1} of ${version.version} is done`,
      };
    case 'next-wave':
      return {
        kind: 'next-wave',
        ...of,
        text: `Wave ${step.wave + 1} of ${version.version} starts`,
      };
    case 'retire':
      return {
        kind: 'retire',
        ...of,
        text: `${version.version} is retired: hidden now, deleted after the grace period`,
      };
    default:
      return null;
  }
}

const same = (a: PlannedChange) => (b: PlannedChange) =>
  a.kind === b.kind && a.version === b.version;

/** The plan of `change`, at `now`, over every site the family targets or has a copy on. */
export function previewOf(facts: RolloutFacts, change: RolloutChange, now: Date): ReleasePlan {
  const after = appliedTo(facts, change, now);
  const steps = stepsAhead(after, now);
  const changes = bySite(after, steps, change.cancels);
  const before = bySite(facts, stepsAhead(facts, now));
  const waves = wavesOf(facts.family, facts.sites);
  const sites = facts.sites
    .map((site) => ({ site, wave: waves.findIndex((wave) => wave.includes(site.id)) }))
    .filter(
      ({ site, wave }) =>
        wave >= 0 || changes.has(site.id) || facts.stages.some((s) => s.siteId === site.id),
    )
    .map(({ site, wave }) => {
      const next = changes.get(site.id) ?? [];
      return {
        siteId: site.id,
        siteName: site.name,
        wave,
        holds: holderOf(facts, site.id)?.version ?? null,
        changes: next,
        withheld: (before.get(site.id) ?? []).filter((c) => !next.some(same(c))),
      };
    });
  return {
    family: facts.family.name,
    action: change.action,
    channel: change.channel,
    version: change.version.version,
    summary: change.summary,
    sites,
    steps: steps.flatMap((step) => familyStep(step) ?? []),
    bytes: sites.reduce(
      (sum, site) => sum + site.changes.reduce((n, c) => n + (c.bytes ?? 0), 0),
      0,
    ),
  };
}
