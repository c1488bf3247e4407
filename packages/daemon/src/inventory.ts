import { GLINT_MARKERS, parseContentHash, type InventoryJob } from '@glint/core';
import type { ImageInfo } from '@glint/cloud-adapters';
import { withTransaction, type InventoryOutcome, type SiteImage } from '@glint/store';
import type { Pool } from 'pg';
import type { SiteAdapters } from './site-adapter';

/** An image as the adapter reports it, in the inventory's terms. */
export function siteImageFrom(image: ImageInfo): SiteImage {
  const marker = (name: string) => image.properties[name] ?? null;
  // Glance before Rocky gives no multihash; a copy Glint made still names its content.
  const hash =
    image.hashAlgo && image.hashValue
      ? { algo: image.hashAlgo, value: image.hashValue }
      : parseContentHash(marker(GLINT_MARKERS.contentHash) ?? undefined);
  return {
    cloudImageId: image.id,
    name: image.name,
    hashAlgo: hash?.algo ?? null,
    hashValue: hash?.value ?? null,
    checksum: image.checksum,
    size: image.size,
    diskFormat: image.diskFormat,
    containerFormat: image.containerFormat,
    visibility: image.visibility,
    status: image.status,
    protected: image.protected,
    cloudOwner: image.owner,
    glintSourceSite: marker(GLINT_MARKERS.sourceSite),
    glintSourceImage: marker(GLINT_MARKERS.sourceImage),
    glintContentHash: marker(GLINT_MARKERS.contentHash),
    properties: propertiesOf(image),
    hidden: image.hidden ?? false,
  };
}

const markers = new Set<string>(Object.values(GLINT_MARKERS));

/** The image's properties without Glint's markers: a copy then carries what its source carries. */
function propertiesOf(image: ImageInfo): Record<string, string> {
  return Object.fromEntries(Object.entries(image.properties).filter(([key]) => !markers.has(key)));
}

/** Lists every image of the job's site, all pages, and records them as the site's inventory. */
export async function takeInventory(
  pool: Pool,
  adapters: SiteAdapters,
  job: InventoryJob,
): Promise<InventoryOutcome> {
  const { ownerId, siteId } = job;
  const adapter = await adapters.open(ownerId, siteId);
  try {
    const { projectId } = await adapter.validate();
    // Anything seen from here on is current; what the previous run saw and this one did not is gone.
    const seenAt = new Date();
    const images: SiteImage[] = [];
    for await (const image of adapter.listImages({ includeHidden: true }))
      images.push(siteImageFrom(image));
    return await withTransaction(pool, async (repositories) => {
      await repositories.inventory.markInventoried(ownerId, siteId, projectId);
      const outcome = await repositories.inventory.record(ownerId, siteId, images, seenAt);
      await repositories.history.recordInventory(ownerId, siteId);
      return outcome;
    });
  } finally {
    await adapter.close();
  }
}
