import { copyFromStream, type CloudAdapter } from '@glint/cloud-adapters';
import { displayUrl, fetchImage } from '../image-fetch';
import { failureOf } from './lifecycle';
import type { DestinationOutcome, Transfer, TransferRun } from './transfer-kind';

/**
 * Fetches the URL (checked again, connection by connection) and streams it through the transfer
 * engine to every destination still to do at once, each copy verified.
 */
async function importImage(run: TransferRun<'import'>): Promise<DestinationOutcome[]> {
  const { started, signal, onProgress } = run;
  const { payload } = started;
  const destinations = payload.destinations.filter((d) => started.isOpen(d.siteId));
  const adapters: CloudAdapter[] = [];
  const fetched = await fetchImage(payload.url, {
    outbound: run.outbound,
    ...(payload.expectedSize !== undefined && { expectedSize: payload.expectedSize }),
    signal,
  });
  try {
    for (const destination of destinations)
      adapters.push(await run.adapters.open(payload.ownerId, destination.siteId));
    const size = payload.expectedSize ?? fetched.size ?? undefined;
    const result = await copyFromStream({
      sourceKey: 'import',
      sourceName: displayUrl(payload.url),
      data: fetched.body,
      ...(size !== undefined && { size }),
      ...(payload.expectedHash && { expectedHash: payload.expectedHash }),
      ...(run.bandwidthLimit && { rateLimit: run.bandwidthLimit }),
      signal,
      onProgress,
      spec: {
        name: payload.name,
        diskFormat: payload.diskFormat,
        containerFormat: payload.containerFormat,
        visibility: payload.visibility,
      },
      destinations: destinations.map((destination, i) => ({
        key: destination.siteId,
        adapter: adapters[i]!,
        imageId: destination.cloudImageId,
      })),
    });
    return result.destinations.map((done) => ({
      siteId: done.key,
      ...(done.imageId && { cloudImageId: done.imageId }),
      bytes: done.bytes,
      ...(done.verification && { verification: done.verification }),
      ...(done.outcome === 'failed' && { error: failureOf(done.error) }),
    }));
  } finally {
    fetched.body.destroy();
    await Promise.all([...adapters.map((adapter) => adapter.close()), fetched.dispatcher.close()]);
  }
}

/** `import` jobs: an image fetched from a URL onto every destination. */
export const importTransfer: Transfer<'import'> = {
  kind: 'import',
  imageId: () => null,
  siteIds: (payload) => payload.destinations.map((d) => d.siteId),
  sitesUsed: (payload) => payload.destinations.map((d) => d.siteId),
  sourceSiteId: () => null,
  rows: (queueJobId, payload) =>
    payload.destinations.map((destination) => ({
      queueJobId,
      operation: 'import',
      imageId: null,
      imageName: payload.name,
      sourceSiteId: null,
      destinationSiteId: destination.siteId,
      bytesTotal: payload.expectedSize ?? null,
      payload,
    })),
  run: importImage,
};
