import type { CopyJob } from '@glint/core';
import { copyImage, type CloudAdapter } from '@glint/cloud-adapters';
import { clearEarlierCopies } from '../copy-image-ids';
import { siteImageFrom } from '../inventory';
import { failureOf } from './lifecycle';
import type { DestinationOutcome, Transfer, TransferRun } from './transfer-kind';

/** A destination made ready for the engine, or the reason it cannot be. */
type Prepared =
  | { siteId: string; cloudImageId: string; adapter: CloudAdapter }
  | { siteId: string; failure: DestinationOutcome };

/**
 * Opens the destination and clears what earlier starts of the job left there, so this start's copy
 * gets an id of its own and no half-made copy stays behind.
 */
async function prepareDestination(
  run: TransferRun<'copy'>,
  destination: CopyJob['destinations'][number],
): Promise<Prepared> {
  const { siteId } = destination;
  let adapter: CloudAdapter | undefined;
  try {
    adapter = await run.adapters.open(run.started.payload.ownerId, siteId);
    const cloudImageId = await clearEarlierCopies(
      adapter,
      destination.cloudImageId,
      run.started.earlierStarts,
    );
    return { siteId, cloudImageId, adapter };
  } catch (error) {
    await adapter?.close();
    return { siteId, failure: { siteId, bytes: 0, error: failureOf(error) } };
  }
}

/**
 * Copies the source to every destination still to do, and records each finished copy in the
 * inventory under the job's logical image at once, so its cell shows `present`.
 */
async function copy(run: TransferRun<'copy'>): Promise<DestinationOutcome[]> {
  const { repositories, started, signal, onProgress } = run;
  const { payload } = started;
  const source = await run.adapters.open(payload.ownerId, payload.source.siteId);
  const prepared: Prepared[] = [];
  try {
    for (const destination of payload.destinations)
      if (started.isOpen(destination.siteId))
        prepared.push(await prepareDestination(run, destination));
    const ready = prepared.filter((p) => 'adapter' in p);
    const result = await copyImage({
      source: { key: payload.source.siteId, adapter: source, imageId: payload.source.cloudImageId },
      destinations: ready.map((p) => ({
        key: p.siteId,
        adapter: p.adapter,
        imageId: p.cloudImageId,
      })),
      visibility: payload.visibility,
      ...(run.bandwidthLimit && { rateLimit: run.bandwidthLimit }),
      signal,
      onProgress,
    });
    const outcomes = prepared.flatMap((p) => ('failure' in p ? [p.failure] : []));
    for (const [i, done] of result.destinations.entries()) {
      const { siteId, adapter } = ready[i]!;
      if (done.outcome === 'failed') {
        outcomes.push({ siteId, bytes: done.bytes, error: failureOf(done.error) });
        continue;
      }
      const image = await adapter.getImage(done.imageId!);
      await repositories.inventory.recordCopy(
        payload.ownerId,
        siteId,
        payload.imageId,
        siteImageFrom(image),
      );
      outcomes.push({
        siteId,
        cloudImageId: image.id,
        bytes: done.bytes,
        ...(done.method && { method: done.method }),
        stages: { ...result.stages, inventoried: Date.now() },
      });
    }
    return outcomes;
  } finally {
    await Promise.all([
      source.close(),
      ...prepared.flatMap((p) => ('adapter' in p ? [p.adapter.close()] : [])),
    ]);
  }
}

/** `copy` jobs: one source image streamed to every destination, each copy verified. */
export const copyTransfer: Transfer<'copy'> = {
  kind: 'copy',
  imageId: (payload) => payload.imageId,
  siteIds: (payload) => payload.destinations.map((d) => d.siteId),
  sitesUsed: (payload) => [payload.source.siteId, ...payload.destinations.map((d) => d.siteId)],
  sourceSiteId: (payload) => payload.source.siteId,
  rows: (queueJobId, payload) =>
    payload.destinations.map((destination) => ({
      queueJobId,
      operation: 'copy',
      imageId: payload.imageId,
      sourceSiteId: payload.source.siteId,
      destinationSiteId: destination.siteId,
      bytesTotal: null,
      payload,
    })),
  run: copy,
};
