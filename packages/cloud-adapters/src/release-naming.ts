import type { ScsImageProperties, SiteType, Visibility } from '@glint/core';
import { InvalidRequestError } from './errors';

/**
 * Where a release family's stable name lives on one site, for one channel. `family` is Glint's
 * key for the family (letters, digits, `.`, `_`, `-`), used where the cloud wants an identifier
 * (EC2's tags and the SSM parameter `/glint/<family>/<channel>`); `stableName` is what people and
 * schedulers boot by ("Ubuntu 24.04"), an OpenStack image's name.
 */
export interface ReleaseSlot {
  family: string;
  channel: string;
  stableName: string;
}

/** One version of a family as an image on this site. */
export interface ReleaseImage {
  /** The image's id on this site (a Glance id, an AMI id). */
  imageId: string;
  /** The version string ("20261101", "2.3.1"); an image demoted later is named after it. */
  version: string;
}

/** An image that a lookup of the stable name finds now. */
export interface StableHolder {
  imageId: string;
  /** The version Glint recorded when it promoted the image; null for an image Glint never named. */
  version: string | null;
  /** When Glint promoted it (ISO 8601); null likewise. Of two holders the later one counts. */
  promotedAt: string | null;
}

export interface PromoteRequest {
  slot: ReleaseSlot;
  /** The new holder: a version present and verified on this site. */
  image: ReleaseImage;
  /** SCS-0102 properties to set on the new holder (the build's and the family's); absent keys stay as they are. */
  scs?: ScsImageProperties;
  /** The holder's visibility where the cloud has one (Glance); absent: left as it is. */
  visibility?: Visibility;
}

export interface PromoteResult {
  holder: StableHolder;
  /** The images that held the name before and now carry their versioned name, hidden. */
  demoted: StableHolder[];
}

/**
 * What became of a retirement. `retiring`: the site refused the delete for a reason that may pass
 * (the image is protected, or a volume or VM still depends on it); the image stays hidden and the
 * orchestrator retries later. That is an outcome of a rotation, not an error.
 */
export type RetireOutcome =
  | { outcome: 'deleted' }
  | { outcome: 'gone' }
  | { outcome: 'retiring'; reason: 'protected' | 'in-use'; detail: string };

/**
 * A site's way of giving a release family's stable name to one of its versions. Implemented per
 * site type beside its adapter; the daemon asks `adapter.releaseNaming` and never the site's type.
 * Every call is idempotent: repeated after a crash, it finishes what the first began.
 *
 * The invariant the orchestrator keeps: a lookup of the stable name on a site returns exactly one
 * image, outside the moment a switch takes (ReleaseNamingFacts.duringSwitch says what a lookup may
 * see then; each implementation writes down the order of its calls and why).
 */
export interface ReleaseNaming {
  /** Every image a lookup of the stable name finds now, the one that counts first. */
  holders(slot: ReleaseSlot): Promise<StableHolder[]>;
  /**
   * Makes `image` the holder and demotes every other holder: renamed "NAME (VERSION)" and hidden
   * where the cloud can rename and hide (OpenStack), deprecated where it cannot (EC2); each stays
   * usable by id. Rollback is a promote of the previous version: no byte is copied.
   */
  promote(request: PromoteRequest): Promise<PromoteResult>;
  /**
   * Hides a version that does not hold the name (retention's first step), under its versioned
   * name; refused with InvalidRequestError for the current holder, since that would leave none.
   */
  demote(slot: ReleaseSlot, image: ReleaseImage): Promise<void>;
  /**
   * Deletes a version's image. A refusal that may pass is the `retiring` outcome, with the image
   * left hidden; an image already gone is `gone`. Refused with InvalidRequestError for a holder.
   */
  retire(slot: ReleaseSlot, image: ReleaseImage): Promise<RetireOutcome>;
}

/** "Ubuntu 24.04 (20261101)": how a demoted version is named where names can change (OIM's form). */
export function versionedName(stableName: string, version: string): string {
  return `${stableName} (${version})`;
}

/** A family key fit for a tag, a path and a property: refuses anything else before the cloud sees it. */
export function checkSlot(slot: ReleaseSlot): void {
  for (const [field, value] of [
    ['family', slot.family],
    ['channel', slot.channel],
  ] as const) {
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(value))
      throw new InvalidRequestError(
        `the release ${field} "${value}" may hold only letters, digits, ".", "_" and "-" (1–100 of them): use the family's key, not its display name`,
      );
  }
  if (slot.stableName.trim() === '')
    throw new InvalidRequestError('a release family needs a stable name to give its images');
}

/** The site's release naming, or a message saying its type has none. */
export function releaseNamingOf(adapter: {
  readonly siteType: SiteType;
  readonly releaseNaming?: ReleaseNaming;
}): ReleaseNaming {
  if (!adapter.releaseNaming)
    throw new InvalidRequestError(
      `${adapter.siteType} sites cannot carry a release's stable name: leave them out of the family's sites`,
    );
  return adapter.releaseNaming;
}
