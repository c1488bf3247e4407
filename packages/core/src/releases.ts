/**
 * Image releases (issue 16): a family's policies, the stages a version goes through on a site, the
 * SCS-0102 properties Glint sets and checks, and the events a rollout publishes. Shared by the
 * API (which publishes, promotes and rolls back) and the daemon (which rolls out and retires).
 */
import type { SiteSelector } from './selectors';
import { Type, type Static } from './typebox';

/** How a family's versions reach its sites. */
export interface RolloutPolicy {
  /** The target sites. */
  sites: SiteSelector;
  /** In order: a target site joins the first wave that matches it; the rest form the last wave. */
  waves: SiteSelector[];
  /** Seconds a completed wave waits before the next starts. */
  soakSeconds: number;
  /** Each wave after the first waits for a person's promote. */
  manualWaves: boolean;
  /**
   * A version's copies go to every wave's sites at once, hidden under "NAME (VERSION)"; the waves
   * then gate only the stable name. Off: a wave's sites are copied to once the wave starts.
   */
  prestage: boolean;
  /** The share of a wave's sites whose copy may fail (0 ≤ x < 1) before the rollout halts. */
  failureThreshold: number;
  /** The channel whose version holds the stable name (`latest` unless promoted otherwise). */
  follows: string;
}

/** How long a family's versions stay once newer ones hold the stable name. */
export interface RetentionPolicy {
  /** `last`: the newest `keepLast` versions; `until`: until their `provided_until`; `forever`. */
  keepMode: 'last' | 'until' | 'forever';
  keepLast: number;
  /** Seconds a retired version stays hidden before it is deleted. */
  graceSeconds: number;
}

/**
 * What Glint did to a version's copy on one site. `stable`: it holds the stable name; `hidden`:
 * renamed "NAME (VERSION)" and hidden (os_hidden; on EC2 deprecated); `retiring`: the site refused
 * its delete (protected, in use) and it is retried; `deleted`: gone.
 */
export type VersionSiteStage = 'stable' | 'hidden' | 'retiring' | 'deleted';

/** The longest version string the store accepts. */
export const VERSION_MAX_LENGTH = 64;

/**
 * The longest stable name: Glance keeps at most 255 characters of a name, and a version that
 * leaves the name is renamed "NAME (VERSION)", which must still fit.
 */
export const STABLE_NAME_MAX_LENGTH = 255 - ' ()'.length - VERSION_MAX_LENGTH;

/** The channel every publish moves. */
export const LATEST_CHANNEL = 'latest';

/** The required properties absent (or empty) in `properties`, in the order required. */
export function missingProperties(
  required: string[],
  properties: Record<string, string>,
): string[] {
  return required.filter((key) => (properties[key] ?? '').trim() === '');
}

/** A version string from a build date: the date's digits, as OIM names its versions (20261206). */
export function versionFromDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

/** What changed in a release, for the SSE stream and automation. */
export const releaseActions = [
  'published',
  'wave-started',
  'switched',
  'halted',
  'failed',
  'resumed',
  'promoted',
  'rolled-back',
  'retired',
  'retiring',
  'deleted',
] as const;
export type ReleaseAction = (typeof releaseActions)[number];

const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);

/** A release event as JSON Schema; GlintEventSchema holds it among the other events. */
export const ReleaseEventSchema = Type.Object(
  {
    type: Type.Literal('release'),
    familyId: Type.String({ minLength: 1 }),
    family: Type.String({ minLength: 1 }),
    action: Type.Enum(releaseActions),
    versionId: Nullable(Type.String({ minLength: 1 })),
    version: Nullable(Type.String({ minLength: 1 })),
    /** The sites the change touched; empty for a change of the family as a whole. */
    siteIds: Type.Array(Type.String({ minLength: 1, maxLength: 255 })),
    /** The wave (0-based), for wave-started. */
    wave: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Why: a halt's reason, a refused delete's or a failed step's error. */
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type ReleaseEvent = Static<typeof ReleaseEventSchema>;
