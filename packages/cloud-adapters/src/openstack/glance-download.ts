import { sleep } from '@glint/core';
import type {
  CloudAdapter,
  ImageInfo,
  ImageSpec,
  ServerSideCopy,
  ServerSideCopyOptions,
} from '../adapter';
import { IntegrityError, isCloudError, TransientError } from '../errors';
import { DEFAULT_RETRY_POLICIES } from '../transfer/copy-request';
import { removeFailedCopy } from '../transfer/finish-targets';
import { assertCopyable, copySpec, declaredContentHash } from '../transfer/metadata';
import { findPresentCopy } from '../transfer/present-copy';
import { provisionalSpec, publication } from '../transfer/provisional';
import type { GlanceClient } from './glance';

/** The two ends of a glance-download: this region's site and Glance, and the region pulled from. */
export interface GlanceDownloadSites {
  destination: CloudAdapter;
  glance: GlanceClient;
  region: string;
  /** The destination's project: whose images, besides public and community ones, it may pull. */
  projectId: string;
  source: CloudAdapter;
  sourceRegion: string;
}

const METHOD = 'glance-download';

/**
 * Glance accepts an import at once and starts it a moment later; until then the image stays
 * queued. False when the import failed before it got going (the image back to queued, the store
 * named in os_glance_failed_import), as when the source region is not in this user's catalog.
 */
async function importStarted(glance: GlanceClient, id: string): Promise<boolean> {
  for (let attempt = 1; attempt <= 150; attempt++) {
    const image = await glance.getImage(id);
    if (image.status !== 'queued') return true;
    if (image.os_glance_failed_import) return false;
    await sleep(200);
  }
  return false;
}

/**
 * Glance's import goes on after the image turned active: it saves the image whole once more, and
 * drops its lock (os_glance_import_task) last. A change made before that save is lost (seen in the
 * sandbox: the copy's markers gone, os_hidden back), so the copy is published only once the lock
 * is gone. False when it is still held after the wait.
 */
async function importReleased(glance: GlanceClient, id: string): Promise<boolean> {
  for (let attempt = 1; attempt <= 150; attempt++) {
    const image = await glance.getImage(id);
    if (!image.os_glance_import_task) return true;
    await sleep(200);
  }
  return false;
}

/** Creates the copy's record and has its Glance pull the data; false when Glance refused. */
async function startImport(
  sites: GlanceDownloadSites,
  spec: ImageSpec,
  sourceImageId: string,
): Promise<boolean> {
  const { glance, destination } = sites;
  const created = await destination.createImage(provisionalSpec(destination, spec));
  try {
    await glance.importFromRegion(created.id, sourceImageId, sites.sourceRegion);
    if (await importStarted(glance, created.id)) return true;
  } catch (error) {
    await glance.deleteImage(created.id).catch(() => undefined);
    if (isCloudError(error) && !error.retryable) return false;
    throw error;
  }
  await glance.deleteImage(created.id).catch(() => undefined);
  return false;
}

/** Fails unless the copy's size and the digests its Glance computed are the source's. */
function checkCopy(copy: ImageInfo, source: ImageInfo, region: string): void {
  const mismatches: string[] = [];
  if (copy.size !== source.size) mismatches.push(`size ${copy.size} ≠ ${source.size}`);
  if (copy.checksum && source.checksum && copy.checksum !== source.checksum)
    mismatches.push('md5 differs');
  if (copy.hashAlgo === source.hashAlgo && copy.hashValue !== source.hashValue)
    mismatches.push(`${source.hashAlgo} differs`);
  if (mismatches.length > 0)
    throw new IntegrityError(
      `copy ${copy.id} in ${region}, made by ${METHOD}, does not match source image ${source.id} (${mismatches.join('; ')})`,
    );
}

/**
 * Waits for the pulled copy, checks it, and publishes it (../transfer/provisional) with the
 * properties the import did not carry over (Glance keeps a few of its own choosing), the content
 * hash marker among them, in one request. A copy that fails or does not match is deleted, never
 * having been shown.
 */
async function finishImport(
  sites: GlanceDownloadSites,
  source: ImageInfo,
  spec: ImageSpec & { id: string },
  { policy, signal, onProgress, hidden }: ServerSideCopyOptions,
): Promise<ImageInfo> {
  const { destination } = sites;
  try {
    onProgress?.({ stage: 'copying', percent: 0 });
    const copy = await destination.awaitActive(spec.id, { policy, ...(signal && { signal }) });
    checkCopy(copy, source, sites.region);
    if (!(await importReleased(sites.glance, spec.id)))
      throw new TransientError(
        `copy ${spec.id} in ${sites.region} is active, but Glance's import still holds it`,
      );
    const missing = Object.entries(spec.properties ?? {}).filter(
      ([name, value]) => copy.properties[name] !== value,
    );
    onProgress?.({ stage: 'copying', percent: 100 });
    // The marker was left off the provisional copy, so there is always something to set.
    const shown = publication(destination, undefined, hidden ?? false);
    await destination.updateProperties(spec.id, { ...shown, set: Object.fromEntries(missing) });
    return await destination.getImage(spec.id);
  } catch (error) {
    await removeFailedCopy(destination, spec.id, DEFAULT_RETRY_POLICIES.cleanup);
    throw error;
  }
}

/**
 * glance-download (Zed and later): the destination region's Glance pulls the image from the source
 * region's, when this site's project may read it there (its own, or public or community). Only a
 * source with a multihash qualifies: the destination's own hash of what it pulled is checked
 * against it. An image already there, by name and content, is kept.
 */
async function pull(
  sites: GlanceDownloadSites,
  options: ServerSideCopyOptions,
): Promise<ImageInfo | undefined> {
  const source = await sites.source.getImage(options.sourceImageId);
  assertCopyable(source);
  const readable =
    source.owner === sites.projectId ||
    source.visibility === 'public' ||
    source.visibility === 'community';
  if (!readable || !source.hashAlgo || !source.hashValue) return undefined;
  const contentHash = declaredContentHash(source);
  // Named as a streamed copy is: the copy's own name if it has one.
  const named = options.name ? { ...source, name: options.name } : source;
  const present = await findPresentCopy(sites.destination, named.name, contentHash, options.hidden);
  if (present) return present;
  const provenance = { sourceSite: options.sourceKey, sourceImageId: source.id, contentHash };
  const spec = {
    ...copySpec(named, provenance, options.visibility ?? 'private'),
    id: options.targetId,
  };
  if (!(await startImport(sites, spec, source.id))) return undefined;
  return finishImport(sites, source, spec, options);
}

/** The glance-download copy from `sites.sourceRegion` into this region. */
export function glanceDownload(sites: GlanceDownloadSites): ServerSideCopy {
  return { method: METHOD, run: (options) => pull(sites, options) };
}
