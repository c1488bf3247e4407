/**
 * What promote, halt, resume and rollback will change on which site, worked out from the family's
 * details before the user confirms. The API offers no preview of these actions: the plan follows
 * what its routes do (a moved channel rolls its version out to every wave at once, a rollback
 * points the channel at its previous version, a halt stops switches, a resume retries failed copies,
 * the next wave of a family whose waves wait for a person starts).
 */
import type { FamilyDetails, ReleaseVersion, VersionSite } from '@glint/api/replies';

export type ReleaseAction = 'promote' | 'halt' | 'resume' | 'rollback' | 'next-wave';

export interface SiteChange {
  siteId: string;
  siteName: string;
  /** What happens there, in words. */
  change: string;
  /** Bytes move: the version is not (or no longer) on the site. */
  copies: boolean;
  /** Nothing happens there. */
  unchanged: boolean;
}

export interface ReleasePlan {
  action: ReleaseAction;
  summary: string;
  /** Why the action cannot be done now; the plan then has no changes. */
  refusal: string | null;
  changes: SiteChange[];
  /** The request that carries it out. */
  path: string;
  body: Record<string, string> | undefined;
}

/** Where a version's bytes are still on the site, so switching to it copies nothing. */
const onSite = new Set(['present', 'stable', 'hidden']);

/** The channel the stable name follows, and the version it points at. */
export function followed(details: FamilyDetails): ReleaseVersion | null {
  const channel =
    details.channels.find((c) => c.name === details.family.follows) ??
    details.channels.find((c) => c.name === 'latest');
  return details.versions.find((v) => v.id === channel?.versionId) ?? null;
}

/** The version holding the stable name on a site, other than `except`. */
function holder(details: FamilyDetails, siteId: string, except: ReleaseVersion) {
  return details.versions.find(
    (v) => v.id !== except.id && v.sites.some((s) => s.siteId === siteId && s.state === 'stable'),
  );
}

/** Each site switching its stable name to `version`. */
function switches(details: FamilyDetails, version: ReleaseVersion): SiteChange[] {
  const name = details.family.stableName;
  return version.sites.map((site) => {
    const base = { siteId: site.siteId, siteName: site.siteName };
    if (site.state === 'stable')
      return {
        ...base,
        change: `${version.version} keeps “${name}”`,
        copies: false,
        unchanged: true,
      };
    const copies = !onSite.has(site.state);
    const old = holder(details, site.siteId, version);
    const demoted = old ? `; ${old.version} becomes “${name} (${old.version})”, hidden` : '';
    const first = !copies
      ? `${version.version} takes`
      : site.state === 'copying'
        ? `${version.version} finishes copying here, then takes`
        : `${version.version} is copied here, then takes`;
    return { ...base, change: `${first} “${name}”${demoted}`, copies, unchanged: false };
  });
}

const encoded = (details: FamilyDetails) => encodeURIComponent(details.family.name);

export function promotePlan(
  details: FamilyDetails,
  version: ReleaseVersion,
  channel = details.family.follows,
): ReleasePlan {
  const request = {
    action: 'promote' as const,
    path: `/releases/${encoded(details)}/promote`,
    body: { version: version.version, channel },
  };
  if (version.retiredAt !== null)
    return {
      ...request,
      summary: '',
      changes: [],
      refusal: `${version.version} is retired: publish it again instead`,
    };
  if (channel !== details.family.follows)
    return {
      ...request,
      summary: `Channel ${channel} points at ${version.version}. The stable name follows ${details.family.follows}, so no site changes.`,
      changes: [],
      refusal: null,
    };
  return {
    ...request,
    summary: `Channel ${channel} points at ${version.version}, which rolls out to every wave at once.`,
    changes: switches(details, version),
    refusal: null,
  };
}

export function rollbackPlan(details: FamilyDetails): ReleasePlan {
  const channel = details.channels.find((c) => c.name === details.family.follows);
  const previous = details.versions.find((v) => v.version === channel?.previousVersion);
  const request = {
    action: 'rollback' as const,
    path: `/releases/${encoded(details)}/rollback`,
    body: { channel: details.family.follows },
  };
  if (!channel || !previous)
    return {
      ...request,
      summary: '',
      changes: [],
      refusal: `channel ${details.family.follows} has no earlier version to go back to`,
    };
  return {
    ...request,
    summary: `Channel ${channel.name} goes back from ${channel.version} to ${previous.version}.`,
    changes: switches(details, previous),
    refusal: null,
  };
}

/** Halt and resume act on the rollout of the version the stable name follows. */
export function controlPlan(details: FamilyDetails, action: 'halt' | 'resume'): ReleasePlan {
  const version = followed(details);
  const request = {
    action,
    path: `/releases/${encoded(details)}/${action}`,
    body: action === 'halt' ? {} : undefined,
  };
  if (!version)
    return { ...request, summary: '', changes: [], refusal: 'the family has no version yet' };
  const change = action === 'halt' ? haltChange : resumeChange;
  return {
    ...request,
    summary:
      action === 'halt'
        ? `The rollout of ${version.version} stops where it is.`
        : `The rollout of ${version.version} goes on from wave ${version.wave + 1}.`,
    changes: version.sites.map((site) => ({
      siteId: site.siteId,
      siteName: site.siteName,
      ...change(site, version.version, details.family.stableName),
    })),
    refusal:
      action === 'resume' && version.haltedReason === null
        ? `${version.version} is not halted`
        : null,
  };
}

function haltChange(site: VersionSite, version: string, name: string) {
  if (site.state === 'stable')
    return { change: `keeps ${version} as “${name}”`, copies: false, unchanged: true };
  return {
    change: `${site.state}: does not switch to ${version} until resumed`,
    copies: false,
    unchanged: false,
  };
}

function resumeChange(site: VersionSite, version: string, name: string) {
  if (site.state === 'stable')
    return { change: `keeps ${version} as “${name}”`, copies: false, unchanged: true };
  if (site.state === 'failed')
    return {
      change: `its failed copy of ${version} is tried again`,
      copies: true,
      unchanged: false,
    };
  return {
    change: `${site.state}: switches to ${version} when its wave’s turn comes`,
    copies: !onSite.has(site.state),
    unchanged: false,
  };
}

/** The next wave of a family whose waves wait for a person: its sites get the followed version. */
export function nextWavePlan(details: FamilyDetails): ReleasePlan {
  const version = followed(details);
  const request = {
    action: 'next-wave' as const,
    path: `/releases/${encoded(details)}/waves/next`,
    body: undefined,
  };
  const next = (version?.wave ?? 0) + 1;
  const refusal = !version
    ? 'the family has no version yet'
    : !details.family.manualWaves
      ? 'the family’s waves start by themselves'
      : next >= details.waves.length
        ? 'every wave has started'
        : null;
  if (refusal || !version) return { ...request, summary: '', changes: [], refusal };
  const sites = details.waves[next]!;
  return {
    ...request,
    summary: `Wave ${next + 1} of ${version.version} starts.`,
    changes: switches(details, version).filter((c) => sites.includes(c.siteId)),
    refusal: null,
  };
}
