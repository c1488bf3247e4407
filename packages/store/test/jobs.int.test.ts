/**
 * The jobs repository against a real PostgreSQL: a queue job recorded as one row per cell, its
 * state assembled from its parts', the outbox, and jobs that reached the queue from outside Glint.
 */
import { randomUUID } from 'node:crypto';
import type { NewJob } from '../src';
import { ownerWithImage, openstackSite, useTestStore } from '../../../test-support/test-store';

const store = useTestStore();
let owner: Awaited<ReturnType<typeof ownerWithImage>>;
let stranger: Awaited<ReturnType<typeof ownerWithImage>>;
let destinations: string[];

beforeAll(async () => {
  owner = await ownerWithImage(store, 'owner');
  stranger = await ownerWithImage(store, 'stranger');
  const { sites } = store.repositories;
  destinations = [
    await sites.insert(owner.ownerId, openstackSite('b-site')),
    await sites.insert(owner.ownerId, openstackSite('a-site')),
  ];
});

/** The rows of a copy of the owner's image from their site to `to`. */
const copyRows = (queueJobId: string, to: string[], from = owner): NewJob[] =>
  to.map((destinationSiteId) => ({
    queueJobId,
    operation: 'copy',
    imageId: from.imageId,
    sourceSiteId: from.siteId,
    destinationSiteId,
    bytesTotal: null,
    payload: { queueJobId },
  }));
const page = { offset: 0, limit: 50 };

test('a copy is one job of its parts: queued, running, then failed when any part failed', async () => {
  const { jobs } = store.repositories;
  await jobs.insert(owner.ownerId, owner.userId, copyRows('copy-parts', destinations));
  const queued = await jobs.find(owner.ownerId, 'copy-parts');
  expect(queued).toMatchObject({
    id: 'copy-parts',
    operation: 'copy',
    state: 'queued',
    imageName: 'owner-image',
    sourceSiteName: "owner's cloud",
    payload: { queueJobId: 'copy-parts' },
  });
  expect(queued!.parts.map((part) => part.siteName)).toEqual(['a-site', 'b-site']);

  expect(await jobs.markRunning('copy-parts')).toEqual({ starts: 1, finishedSiteIds: [] });
  await jobs.markFinished('copy-parts', destinations[0]!, {
    state: 'succeeded',
    bytesDone: 100,
    error: null,
  });
  expect((await jobs.find(owner.ownerId, 'copy-parts'))?.state).toBe('running');
  // A second start redoes only what the first left open.
  expect(await jobs.markRunning('copy-parts')).toEqual({
    starts: 2,
    finishedSiteIds: [destinations[0]],
  });
  await jobs.markFinished('copy-parts', destinations[1]!, {
    state: 'failed',
    bytesDone: 0,
    error: 'the destination refused the upload',
  });
  expect(await jobs.find(owner.ownerId, 'copy-parts')).toMatchObject({
    state: 'failed',
    finishedAt: expect.any(String),
  });
});

test("an owner sees their jobs alone; an admin's list has every owner's", async () => {
  const { jobs } = store.repositories;
  await jobs.insert(
    stranger.ownerId,
    stranger.userId,
    copyRows('copy-theirs', [stranger.siteId], stranger),
  );
  expect(await jobs.find(owner.ownerId, 'copy-theirs')).toBeUndefined();
  expect(await jobs.cancelQueued(owner.ownerId, 'copy-theirs')).toBe(0);
  const mine = await jobs.list(owner.ownerId, page);
  expect(mine.jobs.map((job) => job.ownerId)).not.toContain(stranger.ownerId);
  const all = await jobs.list(null, page);
  expect(all.jobs).toContainEqual(
    expect.objectContaining({ id: 'copy-theirs', ownerId: stranger.ownerId }),
  );
  expect(all.total).toBeGreaterThan(mine.total);
});

test('the list filters by state and by a site on either end, and counts past its page', async () => {
  const { jobs } = store.repositories;
  for (const id of ['copy-f1', 'copy-f2', 'copy-f3'])
    await jobs.insert(owner.ownerId, owner.userId, copyRows(id, [destinations[1]!]));
  expect(await jobs.cancelQueued(owner.ownerId, 'copy-f3')).toBe(1);
  const queued = await jobs.list(owner.ownerId, {
    ...page,
    state: 'queued',
    siteId: destinations[1],
  });
  expect(queued.jobs.map((job) => job.id).sort()).toEqual(['copy-f1', 'copy-f2']);
  const fromSource = await jobs.list(owner.ownerId, { offset: 0, limit: 1, siteId: owner.siteId });
  expect(fromSource.jobs).toHaveLength(1);
  expect(fromSource.total).toBe(4);
});

test('rows wait in the outbox until their job is marked on the queue', async () => {
  const { jobs } = store.repositories;
  await jobs.insert(owner.ownerId, owner.userId, copyRows('copy-outbox', destinations));
  const waiting = (await jobs.pending(100)).filter((job) => job.queueJobId === 'copy-outbox');
  expect(waiting).toEqual([
    { queueJobId: 'copy-outbox', operation: 'copy', payload: { queueJobId: 'copy-outbox' } },
  ]);
  await jobs.markEnqueued(['copy-outbox']);
  expect((await jobs.pending(100)).map((job) => job.queueJobId)).not.toContain('copy-outbox');
});

test('a job put straight on the queue is adopted once, naming only what its owner has', async () => {
  const { jobs } = store.repositories;
  const rows = copyRows('copy-adopted', [destinations[0]!, stranger.siteId]);
  expect(await jobs.adopt(randomUUID(), rows)).toBe(false);
  expect(await jobs.adopt(owner.ownerId, rows)).toBe(true);
  expect(await jobs.adopt(owner.ownerId, rows)).toBe(false);
  const adopted = await jobs.find(owner.ownerId, 'copy-adopted');
  expect(adopted?.parts.map((part) => part.siteId).sort()).toEqual([destinations[0], null].sort());
  // A copy's total is its image's size, as a planned copy's is.
  expect(adopted?.parts.map((part) => part.bytesTotal)).toEqual([100, 100]);

  const foreign = copyRows('copy-foreign', [destinations[0]!], stranger);
  await jobs.adopt(owner.ownerId, foreign);
  expect(await jobs.find(owner.ownerId, 'copy-foreign')).toMatchObject({
    imageId: null,
    sourceSiteId: null,
  });
});

test('a refused job fails its open rows, or gets one failed row when its owner is known', async () => {
  const { jobs } = store.repositories;
  await jobs.insert(owner.ownerId, owner.userId, copyRows('copy-refused', destinations));
  expect(await jobs.reject(owner.ownerId, 'copy-refused', 'copy', 'names a site of another')).toBe(
    true,
  );
  expect(await jobs.find(owner.ownerId, 'copy-refused')).toMatchObject({ state: 'failed' });

  expect(await jobs.reject(null, 'copy-nobody', 'copy', 'bad payload')).toBe(false);
  expect(await jobs.reject(randomUUID(), 'copy-nobody', 'copy', 'bad payload')).toBe(false);
  expect(await jobs.reject(owner.ownerId, 'copy-bad', 'copy', 'bad payload')).toBe(true);
  const bad = await jobs.find(owner.ownerId, 'copy-bad');
  expect(bad).toMatchObject({ state: 'failed', imageId: null });
  expect(bad?.parts).toEqual([expect.objectContaining({ siteId: null, error: 'bad payload' })]);
});
