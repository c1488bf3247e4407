import type { ScsImageProperties } from '@glint/core';
import { ConflictError, InvalidRequestError, isCloudError, NotFoundError } from '../errors';
import {
  checkSlot,
  versionedName,
  type PromoteRequest,
  type PromoteResult,
  type ReleaseImage,
  type ReleaseNaming,
  type ReleaseSlot,
  type RetireOutcome,
  type StableHolder,
} from '../release-naming';
import type { GlanceClient } from './glance';
import { propertyPatch, type GlanceImage, type JsonPatchOperation } from './image-mapping';

/** Properties Glint keeps on a release's images in Glance, beside the SCS-0102 ones. */
export const GLANCE_RELEASE_MARKERS = {
  family: 'glint_release_family',
  version: 'glint_release_version',
  promotedAt: 'glint_release_promoted_at',
} as const;

export interface GlanceReleaseNamingOptions {
  glance: () => Promise<GlanceClient>;
  /** The project the site's credential is scoped to: only its images can be renamed. */
  projectId: () => Promise<string>;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function holderOf(image: GlanceImage): StableHolder {
  return {
    imageId: image.id,
    version: text(image[GLANCE_RELEASE_MARKERS.version]),
    promotedAt: text(image[GLANCE_RELEASE_MARKERS.promotedAt]),
  };
}

/** Later promotions first; an image Glint never promoted last. ISO 8601 stamps sort as text. */
function byPromotion(a: StableHolder, b: StableHolder): number {
  return (b.promotedAt ?? '').localeCompare(a.promotedAt ?? '');
}

/**
 * The version an image is named after when it loses the name: Glint's marker, else the build date
 * SCS-0102 gives it, else the day Glance made it, else its id (an image no one described).
 */
function versionOf(image: GlanceImage): string {
  return (
    text(image[GLANCE_RELEASE_MARKERS.version]) ??
    text(image.image_build_date) ??
    text(image.created_at)?.slice(0, 10) ??
    image.id
  );
}

const replace = (path: string, value: unknown): JsonPatchOperation => ({
  op: 'replace',
  path,
  value,
});

/**
 * A release's stable name in Glance: the holder is the one image named NAME and not hidden; an
 * older version is named "NAME (VERSION)" with `os_hidden=true`, left out of listings and still
 * bootable by id (OIM's and SCS-0102's convention).
 *
 * Why a switch lists two images for one round trip, never none. A lookup of the stable name is
 * `GET /v2/images?name=NAME`, which leaves hidden images out: it counts the images that are named
 * NAME and not hidden, each in or out. Glance applies one PATCH to one image (its JSON-patch
 * operations together, atomically), and has no request that changes two; so moving the name
 * from the old image to the new one changes the count twice, and between the two requests it is
 * either 0 or 2. No order avoids that; the order chooses which. Glint chooses 2:
 *   1. one PATCH to the new image: the name, os_hidden=false, its version, family, promotion
 *      stamp and SCS-0102 properties (and visibility) together, so it is never listed half-made;
 *   2. at once, one PATCH to each old holder: "NAME (VERSION)" and os_hidden=true together.
 * Between 1 and 2 both images are listed and both are verified, bootable copies; the newer
 * promotion stamp says which holds (holders() sorts by it; tools that pick the newest image, as
 * Terraform's `most_recent`, pick it when promoting forward). The other order would leave nothing
 * to boot for that round trip, and for as long as Glint is down if it stops between the two; this
 * order leaves two good images, and a rerun of promote finishes the switch.
 */
export class GlanceReleaseNaming implements ReleaseNaming {
  constructor(private readonly options: GlanceReleaseNamingOptions) {}

  async holders(slot: ReleaseSlot): Promise<StableHolder[]> {
    checkSlot(slot);
    return (await this.listed(slot.stableName)).map(holderOf).sort(byPromotion);
  }

  /** The images a lookup of the name finds: named exactly so, not hidden. */
  private async listed(name: string): Promise<GlanceImage[]> {
    const glance = await this.options.glance();
    const images: GlanceImage[] = [];
    for await (const image of glance.listImages({ name })) images.push(image);
    return images;
  }

  async promote({ slot, image, scs, visibility }: PromoteRequest): Promise<PromoteResult> {
    checkSlot(slot);
    const glance = await this.options.glance();
    const target = await glance.getImage(image.imageId);
    if (target.status !== 'active')
      throw new ConflictError(
        `image ${image.imageId} is ${String(target.status)}, not active: only a verified, active copy can take the name "${slot.stableName}"`,
      );
    const others = (await this.listed(slot.stableName)).filter((held) => held.id !== target.id);
    await this.checkRenamable(others, slot.stableName);
    const holding = target.name === slot.stableName && target.os_hidden !== true;
    const operations = [
      ...(holding ? [] : [replace('/name', slot.stableName), replace('/os_hidden', false)]),
      ...(visibility && target.visibility !== visibility
        ? [replace('/visibility', visibility)]
        : []),
      ...this.markerPatch(target, slot, image.version, scs, !holding),
    ];
    // The switch: these two steps run back to back, nothing read in between (see the class).
    const promoted = operations.length ? await glance.updateImage(target.id, operations) : target;
    for (const old of others) await glance.updateImage(old.id, this.hidePatch(old, slot));
    return { holder: holderOf(promoted), demoted: others.map(holderOf) };
  }

  /** Another project's image under the name cannot be renamed: say so before changing anything. */
  private async checkRenamable(others: GlanceImage[], name: string): Promise<void> {
    const project = await this.options.projectId();
    const foreign = others.filter((other) => other.owner !== project);
    if (foreign.length > 0)
      throw new ConflictError(
        `image ${foreign.map((other) => `${other.id} of project ${String(other.owner)}`).join(', ')} is also listed as "${name}", and only its project can rename it: ask its owner to rename or hide it, or give the family another stable name`,
      );
  }

  /** Glint's markers and the SCS-0102 properties, as JSON-patch operations on `current`. */
  private markerPatch(
    current: GlanceImage,
    slot: ReleaseSlot,
    version: string,
    scs: ScsImageProperties = {},
    stamp = false,
  ): JsonPatchOperation[] {
    const set: Record<string, string> = {
      ...(Object.fromEntries(
        Object.entries(scs).filter(([, value]) => value !== undefined),
      ) as Record<string, string>),
      [GLANCE_RELEASE_MARKERS.family]: slot.family,
      [GLANCE_RELEASE_MARKERS.version]: version,
      ...(stamp ? { [GLANCE_RELEASE_MARKERS.promotedAt]: new Date().toISOString() } : {}),
    };
    return propertyPatch(current, { set });
  }

  /** "NAME (VERSION)" and os_hidden=true in one PATCH, so the image leaves listings whole. */
  private hidePatch(image: GlanceImage, slot: ReleaseSlot, version = versionOf(image)) {
    const name = versionedName(slot.stableName, version);
    return [
      ...(image.name === name ? [] : [replace('/name', name)]),
      ...(image.os_hidden === true ? [] : [replace('/os_hidden', true)]),
      ...this.markerPatch(image, slot, version),
    ];
  }

  async demote(slot: ReleaseSlot, image: ReleaseImage): Promise<void> {
    const current = await this.unheld(slot, image, 'demote');
    const operations = this.hidePatch(current, slot, image.version);
    if (operations.length > 0)
      await (await this.options.glance()).updateImage(image.imageId, operations);
  }

  /**
   * The image, if it does not hold the name: hiding or deleting the holder would leave a lookup
   * nothing. One of two holders left by a switch cut short may go; the newer promotion stays.
   */
  private async unheld(slot: ReleaseSlot, image: ReleaseImage, doing: string) {
    const [holder] = await this.holders(slot);
    if (holder?.imageId === image.imageId)
      throw new InvalidRequestError(
        `image ${image.imageId} holds the name "${slot.stableName}", so Glint cannot ${doing} it: promote another version first`,
      );
    return (await this.options.glance()).getImage(image.imageId);
  }

  async retire(slot: ReleaseSlot, image: ReleaseImage): Promise<RetireOutcome> {
    try {
      await this.demote(slot, image);
      await (await this.options.glance()).deleteImage(image.imageId);
      return { outcome: 'deleted' };
    } catch (error) {
      if (error instanceof NotFoundError) return { outcome: 'gone' };
      return this.refusal(error, image.imageId);
    }
  }

  /**
   * Glance refuses to delete a protected image with 403, and one a volume or VM still depends on
   * with 409 on back ends that know (RBD clones): both may pass, so the image stays, hidden.
   */
  private async refusal(error: unknown, id: string): Promise<RetireOutcome> {
    if (!isCloudError(error)) throw error;
    const detail = error.message;
    if (error.status === 409) return { outcome: 'retiring', reason: 'in-use', detail };
    if (error.status === 403) {
      const image = await (await this.options.glance()).getImage(id);
      if (image.protected === true) return { outcome: 'retiring', reason: 'protected', detail };
    }
    throw error;
  }
}
