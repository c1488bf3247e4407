import type { CopyJob } from '@glint/core';
import {
  copyImage,
  DEFAULT_RETRY_POLICIES,
  type CloudAdapter,
  type ImageInfo,
  type ServerSideCopy,
} from '@glint/cloud-adapters';
import { clearEarlierCopies, nextCopyImageId } from '../copy-image-ids';
import type { StopReason } from '../job-control';
import { siteImageFrom } from '../inventory';
import { progressJoin, type CopyProgress } from './copy-progress';
import { failureOf } from './lifecycle';
import type { DestinationOutcome, Transfer, TransferRun } from './transfer-kind';

/** A destination made ready for the engine or its cloud's own copy, or the reason it cannot be. */
type Prepared =
  | {
      siteId: string;
      /** The id the job gives the copy, from which this start's ids are derived. */
      jobImageId: string;
      cloudImageId: string;
      adapter: CloudAdapter;
      serverSide?: ServerSideCopy;
    }
  | { siteId: string; failure: DestinationOutcome };
type Ready = Extract<Prepared, { adapter: CloudAdapter }>;

/**
 * Opens the destination, clears what earlier starts of the job left there, so this start's copy
 * gets an id of its own and no half-made copy stays behind, and asks whether its cloud can copy
 * the source's image itself.
 */
async function prepareDestination(
  run: TransferRun<'copy'>,
  source: CloudAdapter,
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
    const serverSide = await adapter.serverSideCopyFrom?.(source);
    const jobImageId = destination.cloudImageId;
    return { siteId, jobImageId, cloudImageId, adapter, ...(serverSide && { serverSide }) };
  } catch (error) {
    await adapter?.close();
    return { siteId, failure: { siteId, bytes: 0, error: failureOf(error) } };
  }
}

/**
 * Has the destination's cloud copy the source's image itself, and records the copy; where the cloud
 * turns this copy down, streams it instead, under an id of its own, and the outcome says so.
 */
async function copyServerSide(
  run: TransferRun<'copy'>,
  source: CloudAdapter,
  destination: Ready & { serverSide: ServerSideCopy },
  progress: CopyProgress,
): Promise<DestinationOutcome[]> {
  const { payload } = run.started;
  const { siteId, adapter, serverSide } = destination;
  const { method } = serverSide;
  try {
    const image = await serverSide.run({
      sourceKey: payload.source.siteId,
      sourceImageId: payload.source.cloudImageId,
      targetId: destination.cloudImageId,
      visibility: payload.visibility,
      ...(payload.name && { name: payload.name }),
      ...(payload.hidden && { hidden: true }),
      policy: DEFAULT_RETRY_POLICIES.serverSide,
      signal: run.signal,
      onProgress: (activation) => progress.serverSide(siteId, activation),
    });
    if (!image) {
      const { jobImageId, cloudImageId: spent } = destination;
      const cloudImageId = await nextCopyImageId(adapter, jobImageId, spent);
      return await copyStreamed(run, source, [{ ...destination, cloudImageId }], progress);
    }
    await recordCopy(run, siteId, image);
    return [{ siteId, cloudImageId: image.id, bytes: image.size ?? 0, method }];
  } catch (error) {
    // A cancelled copy is stopped: deregistering a pending AMI stops its copy. One handed back is
    // left running, for the next start to find by its id.
    if (run.signal.reason === ('cancelled' satisfies StopReason))
      await adapter.deleteImage(destination.cloudImageId).catch(() => undefined);
    return [{ siteId, bytes: 0, method, error: failureOf(error) }];
  }
}

const recordCopy = (run: TransferRun<'copy'>, siteId: string, image: ImageInfo) =>
  run.repositories.inventory.recordCopy(
    run.started.payload.ownerId,
    siteId,
    run.started.payload.imageId,
    siteImageFrom(image),
  );

/** Streams the source to the destinations whose clouds cannot copy it themselves. */
async function copyStreamed(
  run: TransferRun<'copy'>,
  source: CloudAdapter,
  destinations: Ready[],
  progress: CopyProgress,
): Promise<DestinationOutcome[]> {
  if (destinations.length === 0) return [];
  const { payload } = run.started;
  const result = await copyImage({
    source: { key: payload.source.siteId, adapter: source, imageId: payload.source.cloudImageId },
    destinations: destinations.map((p) => ({
      key: p.siteId,
      adapter: p.adapter,
      imageId: p.cloudImageId,
    })),
    visibility: payload.visibility,
    ...(payload.name && { name: payload.name }),
    ...(payload.hidden && { hidden: true }),
    ...(run.bandwidthLimit && { rateLimit: run.bandwidthLimit }),
    signal: run.signal,
    onProgress: progress.stream(),
  });
  const outcomes: DestinationOutcome[] = [];
  for (const [i, done] of result.destinations.entries()) {
    const { siteId, adapter } = destinations[i]!;
    if (done.outcome === 'failed') {
      outcomes.push({
        siteId,
        bytes: done.bytes,
        method: done.method ?? 'stream',
        error: failureOf(done.error),
      });
      continue;
    }
    const image = await adapter.getImage(done.imageId!);
    await recordCopy(run, siteId, image);
    outcomes.push({
      siteId,
      cloudImageId: image.id,
      bytes: done.bytes,
      method: done.method ?? 'stream',
      ...(done.verification && { verification: done.verification }),
      stages: { ...result.stages, inventoried: Date.now() },
    });
  }
  return outcomes;
}

/**
 * Copies the source to every destination still to do: those whose cloud can copy the image itself
 * (an EC2 region from another of its account, a Glance region from another of its Keystone) have
 * it do so, the others get it streamed, both at once. Each finished copy is recorded in the inventory under the job's logical image at once, so
 * its cell shows `present`.
 */
async function copy(run: TransferRun<'copy'>): Promise<DestinationOutcome[]> {
  const { started } = run;
  const { payload } = started;
  const source = await run.adapters.open(payload.ownerId, payload.source.siteId);
  const prepared: Prepared[] = [];
  try {
    for (const destination of payload.destinations)
      if (started.isOpen(destination.siteId))
        prepared.push(await prepareDestination(run, source, destination));
    const ready = prepared.filter((p): p is Ready => 'adapter' in p);
    const progress = progressJoin(run.onProgress);
    const [streamed, ...serverSide] = await Promise.all([
      copyStreamed(
        run,
        source,
        ready.filter((p) => !p.serverSide),
        progress,
      ),
      ...ready.flatMap((p) =>
        p.serverSide
          ? [copyServerSide(run, source, { ...p, serverSide: p.serverSide }, progress)]
          : [],
      ),
    ]);
    return [
      ...prepared.flatMap((p) => ('failure' in p ? [p.failure] : [])),
      ...streamed!,
      ...serverSide.flat(),
    ];
  } finally {
    await Promise.all([
      source.close(),
      ...prepared.flatMap((p) => ('adapter' in p ? [p.adapter.close()] : [])),
    ]);
  }
}

/**
 * `copy` jobs: one source image streamed to every destination, each copy verified, or copied by the
 * destination's cloud itself where it can.
 */
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
