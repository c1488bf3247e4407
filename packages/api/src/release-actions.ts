/**
 * What each of a person's rollout actions changes in a family's facts, decided once: the service
 * records it, and the preview applies it to the facts in memory and runs the rollout's steps.
 */
import { LATEST_CHANNEL, type ReleaseEvent } from '@glint/core';
import {
  openCopiesOf,
  wavesOf,
  type CopyAttempt,
  type RolloutFacts,
  type VersionRecord,
} from '@glint/store';
import { ApiError, notFound } from './errors';

export type RolloutAction =
  | { kind: 'promote'; version: string; channel?: string }
  | { kind: 'rollback'; channel?: string }
  | { kind: 'halt'; reason?: string }
  | { kind: 'resume' }
  | { kind: 'next-wave' };

/** As the releases repository's updateVersion takes them: `resumed` is stamped by the database. */
export type VersionChanges = Partial<
  Pick<VersionRecord, 'wave' | 'promotedWave' | 'haltedReason'>
> & {
  resumed?: true;
};

/** An action as it changes the facts: a channel moved and the version's rollout state. */
export interface RolloutChange {
  action: RolloutAction['kind'];
  /** The version acted on: the one a channel moves to, or the followed one. */
  version: VersionRecord;
  channel: string | null;
  versionChanges: VersionChanges | null;
  /**
   * The version's copies under way that the action cancels (a halt's), as the facts show them; the
   * service reads them again once the halt is recorded.
   */
  cancels: CopyAttempt[];
  audit: string;
  event: ReleaseEvent['action'];
  summary: string;
}

/** The version the stable name follows: the followed channel's, else latest's. */
function followedVersion(facts: RolloutFacts): VersionRecord {
  const channel =
    facts.channels.find((c) => c.name === facts.family.follows) ??
    facts.channels.find((c) => c.name === LATEST_CHANNEL);
  const version = facts.versions.find((v) => v.id === channel?.versionId);
  if (!version)
    throw new ApiError(
      409,
      'nothing_rolling_out',
      `family ${facts.family.name} has no version yet: publish one first`,
    );
  return version;
}

/**
 * A channel moved to `version`. When the stable name follows it and the version is not the
 * newest (a promote of an older one, a rollback), the version rolls out to every wave at once,
 * unhalted: its copies are known good, which is what the waves were for.
 */
function moved(
  facts: RolloutFacts,
  channel: string,
  version: VersionRecord,
): VersionChanges | null {
  if (channel !== facts.family.follows || version.id === facts.versions[0]?.id) return null;
  const waves = wavesOf(facts.family, facts.sites).length;
  return { wave: Math.max(0, waves - 1), haltedReason: null, resumed: true };
}

function promoteChange(
  facts: RolloutFacts,
  action: Extract<RolloutAction, { kind: 'promote' }>,
): RolloutChange {
  const version = facts.versions.find((v) => v.version === action.version);
  if (!version) throw notFound('release_version', `${facts.family.name} ${action.version}`);
  if (version.retiredAt !== null)
    throw new ApiError(
      409,
      'version_retired',
      `version ${action.version} is retired by the family's retention and may be gone from sites: publish it again instead`,
    );
  const channel = action.channel ?? facts.family.follows;
  const follows = facts.family.follows;
  return {
    action: 'promote',
    version,
    channel,
    versionChanges: moved(facts, channel, version),
    cancels: [],
    audit: 'release.promoted',
    event: 'promoted',
    summary:
      channel === follows
        ? `Channel ${channel} points at ${version.version}, which the stable name follows.`
        : `Channel ${channel} points at ${version.version}. The stable name follows ${follows}, so no site changes.`,
  };
}

/** The channel back at the version it pointed at before, whose copies are still there (hidden). */
function rollbackChange(facts: RolloutFacts, channel: string | undefined) {
  const name = channel ?? facts.family.follows;
  const current = facts.channels.find((c) => c.name === name);
  const previous = facts.versions.find((v) => v.id === current?.previousVersionId);
  if (!current || !previous)
    throw new ApiError(
      409,
      'nothing_to_roll_back',
      `channel ${name} of ${facts.family.name} has no earlier version to go back to`,
    );
  const from = facts.versions.find((v) => v.id === current.versionId)?.version;
  return {
    action: 'rollback' as const,
    version: previous,
    channel: name,
    versionChanges: moved(facts, name, previous),
    cancels: [],
    audit: 'release.rolled_back',
    event: 'rolled-back' as const,
    summary: `Channel ${name} goes back from ${from} to ${previous.version}.`,
  };
}

/** Halt, resume and next-wave act on the rollout of the version the stable name follows. */
function controlChange(
  facts: RolloutFacts,
  action: Extract<RolloutAction, { kind: 'halt' | 'resume' | 'next-wave' }>,
  callerName: string,
): RolloutChange {
  const version = followedVersion(facts);
  const common = { version, channel: null, cancels: [], audit: `release.${action.kind}` };
  if (action.kind === 'halt') {
    const cancels = openCopiesOf(facts, version);
    return {
      ...common,
      action: 'halt',
      versionChanges: { haltedReason: action.reason ?? `halted by ${callerName}` },
      cancels,
      event: 'halted',
      summary: `The rollout of ${version.version} stops where it is${cancels.length > 0 ? ', and its copies under way are cancelled' : ''}.`,
    };
  }
  if (action.kind === 'resume')
    return {
      ...common,
      action: 'resume',
      versionChanges: { haltedReason: null, resumed: true },
      event: 'resumed',
      summary: `The rollout of ${version.version} goes on from wave ${version.wave + 1}.`,
    };
  return {
    ...common,
    action: 'next-wave',
    versionChanges: { promotedWave: version.wave + 1 },
    event: 'promoted',
    summary: `The rollout of ${version.version} may go on to wave ${version.wave + 2}${facts.family.soakSeconds > 0 ? ' once the wave before has soaked' : ''}.`,
  };
}

/** What the action changes, or the refusal (an ApiError) it meets. */
export function changeOf(
  facts: RolloutFacts,
  action: RolloutAction,
  callerName: string,
): RolloutChange {
  switch (action.kind) {
    case 'promote':
      return promoteChange(facts, action);
    case 'rollback':
      return rollbackChange(facts, action.channel);
    default:
      return controlChange(facts, action, callerName);
  }
}

/** The facts as they are once the change is recorded (channels as moveChannel moves them). */
export function appliedTo(facts: RolloutFacts, change: RolloutChange, now: Date): RolloutFacts {
  const { version, channel, versionChanges } = change;
  const channels = facts.channels.filter((c) => c.name !== channel);
  const old = facts.channels.find((c) => c.name === channel);
  if (channel !== null)
    channels.push({
      name: channel,
      versionId: version.id,
      previousVersionId:
        old?.versionId === version.id ? old.previousVersionId : (old?.versionId ?? null),
      movedAt: now.toISOString(),
    });
  const { resumed, ...values } = versionChanges ?? {};
  const versions = facts.versions.map((v) =>
    v.id === version.id ? { ...v, ...values, ...(resumed && { resumedAt: now.toISOString() }) } : v,
  );
  return { ...facts, channels, versions };
}
