/**
 * The daemon's transfer and delete workers bringing the sandbox clouds to the desired state the API
 * recorded, with the faults they must survive.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  eventChannel,
  LAST_COPY_REFUSAL,
  subscriberConnection,
  type CopyJob,
  type GlintEvent,
  type JobKind,
} from '@glint/core';
import type { ImageInfo } from '@glint/cloud-adapters';
import { copyImageId } from '@glint/daemon';
import { CredentialCipher } from '@glint/store';
import type { FastifyInstance } from 'fastify';
import { passwordCredential, sandboxCloud } from '../../../test-support/sandbox';
import { loadConfig } from '../src/config';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  refreshAll,
  startDeleteWorker,
  startInventoryWorker,
  startReconcileWorker,
  startTransferWorker,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import {
  matrixRow,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const run = `cv-${randomBytes(4).toString('hex')}`;
const name = `${run}-x`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let workers: RunningWorker[] = [];
// `four` is a second site on cloud3; its inventory is only taken once, before any copy.
let site: Record<'one' | 'two' | 'three' | 'four', string>;
let original: ImageInfo;
let imageId: string;

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2, three: 3, four: 3 }));
  original = await images.seed(sandboxCloud(1), name, run);
  workers = await Promise.all([
    startInventoryWorker(env),
    startReconcileWorker(env),
    startTransferWorker(env),
    startDeleteWorker(env),
  ]);
  await refreshAll(server, user);
  imageId = (await matrixRow(server, user, run)).id;
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  // The copies the workers made, found by name as a user would.
  for (const index of [2, 3]) {
    const adapter = images.adapter(sandboxCloud(index));
    for (const copy of await copiesOn(index)) await adapter.deleteImage(copy.id).catch(() => {});
  }
  await images.close();
  await env?.close();
});

/** The images with the test's name on a sandbox cloud, straight from its Glance. */
async function copiesOn(cloud: number): Promise<ImageInfo[]> {
  const found: ImageInfo[] = [];
  for await (const image of images
    .adapter(sandboxCloud(cloud))
    .listImages({ name, includeHidden: true }))
    found.push(image);
  return found;
}

async function cellStates(): Promise<Record<string, string>> {
  const { cells } = await matrixRow(server, user, run);
  return Object.fromEntries(cells.map((c) => [c.siteId, c.state]));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until no job row is queued or running: every job the API wrote has run its course. */
async function settled(): Promise<void> {
  for (;;) {
    const open = await env.query(`SELECT 1 FROM jobs WHERE state IN ('queued', 'running')`);
    if (open.length === 0) return;
    await sleep(200);
  }
}

/** Puts a job on the queue as another program could, unchecked, and waits until it ended. */
async function runDirectly(kind: JobKind, data: unknown) {
  const queue = server.queues.queue(kind);
  const added = await queue.add(kind, data, { jobId: `${kind}-${randomUUID()}` });
  for (;;) {
    const state = await added.getState();
    if (state === 'completed' || state === 'failed') return (await queue.getJob(added.id!))!;
    await sleep(200);
  }
}

const ownerId = async () =>
  (await env.query<{ owner_id: string }>('SELECT owner_id FROM sites LIMIT 1'))[0]!.owner_id;

/** A copy of the seeded image to one site, as automation would enqueue it. */
const copyTo = async (siteId: string, cloudImageId: string): Promise<CopyJob> => ({
  version: 1,
  ownerId: await ownerId(),
  imageId,
  source: { siteId: site.one, cloudImageId: original.id },
  destinations: [{ siteId, cloudImageId }],
  visibility: 'private',
  requestedBy: 'automation',
});

test('an invalid payload fails at once with the reason, and touches no cloud and no inventory', async () => {
  const before = await env.snapshot('site_images', 'images');
  const job = await runDirectly('copy', {
    ...(await copyTo(site.two, randomUUID())),
    visibility: 'everyone',
  });
  expect(await job.getState()).toBe('failed');
  expect(job.attemptsMade).toBe(1);
  expect(job.failedReason).toMatch(/^invalid copy job payload: \/visibility /);
  expect(await copiesOn(2)).toEqual([]);
  expect(await env.snapshot('site_images', 'images')).toEqual(before);
});

test('a copy from or to a site the owner does not have fails for good, touching no cloud', async () => {
  const stranger = randomUUID();
  const toStranger = await runDirectly('copy', await copyTo(stranger, randomUUID()));
  // Put straight on the queue, the job is checked against its owner's sites before it is recorded.
  const notTheirs = `site ${stranger} is not the owner's (${await ownerId()}): `;
  expect(toStranger.attemptsMade).toBe(1);
  expect(toStranger.failedReason).toContain(notTheirs);
  const fromStranger = await runDirectly('copy', {
    ...(await copyTo(site.two, randomUUID())),
    source: { siteId: stranger, cloudImageId: original.id },
  });
  expect(fromStranger.attemptsMade).toBe(1);
  expect(fromStranger.failedReason).toContain(notTheirs);
  expect(await copiesOn(2)).toEqual([]);
});

test('a delete re-checks the safeguards when it runs: the last copy stays unless forced', async () => {
  const deleteOn = async (siteId: string, cloudImageId: string) => ({
    version: 1,
    ownerId: await ownerId(),
    imageId,
    siteId,
    cloudImageId,
    force: false,
    requestedBy: 'automation',
  });
  const refused = await runDirectly('delete', await deleteOn(site.one, original.id));
  expect(refused.failedReason).toBe(LAST_COPY_REFUSAL.message);
  expect(refused.attemptsMade).toBe(1);
  expect((await images.adapter(sandboxCloud(1)).getImage(original.id)).status).toBe('active');

  // An image already gone is as good as deleted.
  const gone = await runDirectly('delete', await deleteOn(site.two, randomUUID()));
  expect(await gone.getState()).toBe('completed');
  expect(gone.returnvalue).toEqual({ deleted: false });
});

test('a half-made image with the job’s id is removed first, and exactly one active copy is left in its stead; progress reaches BullMQ and the owner’s events', async () => {
  const cloudImageId = randomUUID();
  const adapter = images.adapter(sandboxCloud(2));
  const halfMade = await adapter.createImage({
    id: cloudImageId,
    name,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
    properties: {},
  });
  expect(halfMade.status).toBe('queued');

  const events: GlintEvent[] = [];
  const subscriber = subscriberConnection(env.env().GLINT_REDIS_URL!);
  await subscriber.subscribe(eventChannel(env.redisPrefix, await ownerId()));
  subscriber.on('message', (_channel, text: string) => events.push(JSON.parse(text)));
  const job = await runDirectly('copy', await copyTo(site.two, cloudImageId));
  // The last event is published as the job ends; it may reach this subscriber a moment later.
  while (!events.some((e) => e.type === 'job' && e.state === 'succeeded')) await sleep(50);
  subscriber.disconnect();
  expect(job.failedReason).toBeUndefined();
  expect(await job.getState()).toBe('completed');
  const size = original.size!;
  expect(job.progress).toEqual({
    totalBytes: size,
    bytesRead: size,
    destinations: [
      { siteId: site.two, bytes: size, bytesPerSecond: expect.any(Number), etaSeconds: 0 },
    ],
  });
  const jobEvents = events.filter((e) => e.type === 'job').map((e) => e.type === 'job' && e.state);
  // Put straight on the queue: announced queued when the daemon takes it up, then running.
  expect(jobEvents.slice(0, 2)).toEqual(['queued', 'running']);
  expect(jobEvents.at(-1)).toBe('succeeded');
  expect(events).toContainEqual(
    expect.objectContaining({ type: 'job', state: 'running', siteIds: [site.two], bytes: size }),
  );
  const copies = await copiesOn(2);
  // Glance never gives a deleted image's id again: the copy has the next id derived from it.
  expect(copies.map((c) => ({ id: c.id, status: c.status }))).toEqual([
    { id: copyImageId(cloudImageId, 1), status: 'active' },
  ]);
  expect(copies[0]!.hashValue).toBe(original.hashValue);
  expect((await cellStates())[site.two]).toBe('present');
});

test('a saved desired state converges, and the real Glances agree', async () => {
  // Wanted on one and three only: a copy to three, and the Glint-made copy on two deleted.
  const applied = await server.inject({
    method: 'PUT',
    url: '/api/v1/placements',
    headers: user.headers,
    payload: { desired: [{ image: imageId, sites: [site.one, site.three] }] },
  });
  expect(applied.statusCode).toBe(200);
  expect(applied.json()).toMatchObject({
    copies: [{ destinations: [site.three] }],
    deletes: [{ siteId: site.two }],
    refusals: [],
  });
  await settled();

  expect(await cellStates()).toEqual({
    [site.one]: 'unmanaged',
    [site.two]: 'missing',
    [site.three]: 'present',
    [site.four]: 'missing',
  });
  expect(await copiesOn(2)).toEqual([]);
  const onThree = await copiesOn(3);
  expect(onThree.map((c) => c.status)).toEqual(['active']);
  expect(onThree[0]!.hashValue).toBe(original.hashValue);
  const rows = await env.query(
    // The API's jobs; those automation put straight on the queue above have rows of their own.
    'SELECT operation, state, attempts, error, finished_at IS NOT NULL AS finished FROM jobs WHERE requested_by IS NOT NULL ORDER BY operation',
  );
  expect(rows).toEqual([
    { operation: 'copy', state: 'succeeded', attempts: 1, error: null, finished: true },
    { operation: 'delete', state: 'succeeded', attempts: 1, error: null, finished: true },
  ]);
});

/** The matrix cell of one site, drift and policy included. */
async function cellOf(siteId: string) {
  const { cells } = await matrixRow(server, user, run);
  return cells.find((cell) => cell.siteId === siteId)!;
}

/** Takes the site's inventory (which reconciles after it) and waits until all work settled. */
async function refreshSite(siteId: string): Promise<void> {
  const refreshed = await server.inject({
    method: 'POST',
    url: `/api/v1/sites/${siteId}/refresh`,
    headers: user.headers,
  });
  expect(refreshed.statusCode).toBe(202);
  const queues = [server.queues.queue('inventory'), server.queues.queue('reconcile')];
  for (;;) {
    const counts = await Promise.all(
      queues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
    );
    if (counts.every((c) => Object.values(c).every((n) => n === 0))) break;
    await sleep(100);
  }
  await settled();
}

test('an image deleted out of band shows as drift; with self-heal on, the reconciler restores it', async () => {
  // Wanted on three since the test above; deleted there behind Glint's back.
  const [copy] = await copiesOn(3);
  await images.adapter(sandboxCloud(3)).deleteImage(copy!.id);

  await refreshSite(site.three);
  expect(await cellOf(site.three)).toMatchObject({
    state: 'missing',
    wanted: true,
    drift: 'missing',
    selfHeal: 'off',
  });
  expect(await copiesOn(3)).toEqual([]);
  const healJobs = `SELECT state FROM jobs WHERE payload->>'requestedBy' = 'glint-reconciler'`;
  expect(await env.query(healJobs)).toEqual([]);

  const patched = await server.inject({
    method: 'PATCH',
    url: `/api/v1/sites/${site.three}`,
    headers: user.headers,
    payload: { selfHeal: 'restore' },
  });
  expect(patched.statusCode).toBe(200);
  expect(patched.json()).toMatchObject({ selfHeal: 'restore' });
  await refreshSite(site.three);

  expect(await env.query(healJobs)).toEqual([{ state: 'succeeded' }]);
  const cell = await cellOf(site.three);
  expect(cell).toMatchObject({ state: 'present', wanted: true, selfHeal: 'restore' });
  expect(cell.drift).toBeUndefined();
  const restored = await copiesOn(3);
  expect(restored.map((c) => c.status)).toEqual(['active']);
  expect(restored[0]!.hashValue).toBe(original.hashValue);
  expect(
    await env.query(`SELECT actor_id FROM audit_events WHERE action = 'placements.healed'`),
  ).toEqual([{ actor_id: null }]);
});

test('an unwanted copy put back out of band is only shown, unless the cell’s own policy prunes it', async () => {
  // Unwanted on two since the convergence test; the same image is put there again out of band.
  const stray = await images.seed(sandboxCloud(2), name, run);
  await refreshSite(site.two);
  expect(await cellOf(site.two)).toMatchObject({
    state: 'unmanaged',
    wanted: false,
    drift: 'unwanted',
    selfHeal: 'off',
  });
  expect((await copiesOn(2)).map((c) => c.id)).toEqual([stray.id]);
  await images.remove(sandboxCloud(2), stray.id);
  await refreshSite(site.two);

  // The cell's own policy, said while there is nothing to change: no job, only the policy.
  const marked = await server.inject({
    method: 'PUT',
    url: '/api/v1/placements',
    headers: user.headers,
    payload: {
      changes: [{ image: imageId, site: site.two, wanted: false, selfHeal: 'restore-and-prune' }],
    },
  });
  expect(marked.json()).toMatchObject({ copies: [], deletes: [], unchanged: 1, jobs: [] });
  expect(await cellOf(site.two)).toMatchObject({ state: 'missing', selfHeal: 'restore-and-prune' });

  await images.seed(sandboxCloud(2), name, run);
  await refreshSite(site.two);
  expect(await copiesOn(2)).toEqual([]);
  const cell = await cellOf(site.two);
  expect(cell).toMatchObject({ state: 'missing', wanted: false, selfHeal: 'restore-and-prune' });
  expect(cell.drift).toBeUndefined();
  expect(
    await env.query(
      `SELECT operation, state FROM jobs WHERE payload->>'requestedBy' = 'glint-reconciler' ORDER BY operation`,
    ),
  ).toEqual([
    { operation: 'copy', state: 'succeeded' },
    { operation: 'delete', state: 'succeeded' },
  ]);
});

test('a wrong password on one destination fails that cell for good; the other gets its copy', async () => {
  const config = loadConfig(env.env());
  const owner = await ownerId();
  const wrong = new CredentialCipher(config.credentialKeys).seal(
    { kind: 'password', username: sandboxCloud(3).users.demo.username, password: 'wrong' },
    { ownerId: owner, siteId: site.four },
  );
  await env.query(
    'UPDATE credentials SET key_id = $3, nonce = $4, ciphertext = $5, auth_tag = $6 WHERE owner_id = $1 AND site_id = $2',
    [owner, site.four, wrong.keyId, wrong.nonce, wrong.ciphertext, wrong.authTag],
  );
  const applied = await server.inject({
    method: 'PUT',
    url: '/api/v1/placements',
    headers: user.headers,
    payload: {
      changes: [
        { image: imageId, site: site.two, wanted: true },
        { image: imageId, site: site.four, wanted: true },
      ],
    },
  });
  expect(applied.json()).toMatchObject({
    copies: [{ destinations: [site.two, site.four].sort() }],
  });
  await settled();

  const rows = await env.query<{
    destination_site_id: string;
    state: string;
    attempts: number;
    error: string | null;
  }>(`SELECT destination_site_id, state, attempts, error FROM jobs WHERE queue_job_id = $1`, [
    applied.json().jobs[0].id,
  ]);
  const bySite = Object.fromEntries(rows.map((row) => [row.destination_site_id, row]));
  expect(bySite[site.two]).toMatchObject({ state: 'succeeded', attempts: 1, error: null });
  expect(bySite[site.four]).toMatchObject({ state: 'failed', attempts: 1 });
  expect(bySite[site.four]!.error).toMatch(/401|password|credential|authenticat/i);
  const states = await cellStates();
  expect(states[site.two]).toBe('present');
  expect(states[site.four]).toBe('error');
  expect((await copiesOn(2)).map((c) => c.status)).toEqual(['active']);
});

test('a failed copy, its cause fixed, is retried from the API and completes', async () => {
  // The owner fixes four's password (broken above) and retries the cell that failed.
  const fixed = await server.inject({
    method: 'PATCH',
    url: `/api/v1/sites/${site.four}`,
    headers: user.headers,
    payload: { credential: passwordCredential(sandboxCloud(3)) },
  });
  expect(fixed.statusCode).toBe(200);
  const failed = await server.inject({
    url: `/api/v1/jobs?site=${site.four}&state=failed&limit=1`,
    headers: { cookie: user.cookie },
  });
  const [job] = failed.json<{ jobs: { id: string }[] }>().jobs;
  // The fan-out copy to two and four: only four's part failed, and only it runs again.
  const retried = await server.inject({
    method: 'POST',
    url: `/api/v1/jobs/${job!.id}/retry`,
    headers: user.headers,
  });
  expect(retried.statusCode).toBe(202);
  expect(retried.json().parts).toEqual([expect.objectContaining({ siteId: site.four })]);
  await settled();

  const rows = await env.query<{ state: string; attempts: number; error: string | null }>(
    'SELECT state, attempts, error FROM jobs WHERE queue_job_id = $1',
    [retried.json<{ id: string }>().id],
  );
  expect(rows).toEqual([{ state: 'succeeded', attempts: 1, error: null }]);
  expect((await cellStates())[site.four]).toBe('present');
  // Sites three and four are the same project of cloud 3: the copy there serves both.
  expect((await copiesOn(3)).map((c) => c.status)).toEqual(['active']);
});
