/**
 * Faults injected into a running Glint: the daemon as a real process (killed with SIGKILL), its
 * Redis restarted under it, a destination Glance stopped and started again, a source whose stored
 * bytes rotted. Each test asserts what the clouds, the jobs table and the matrix end up with.
 *
 * The whole file runs on a Redis of its own (a private `redis-server` with an append-only file),
 * so restarting it disturbs no other test file. Cloud 4 of the sandbox is the one whose Glance is
 * stopped: it is reserved for fault injection.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageInfo } from '@glint/cloud-adapters';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  applyPlacements,
  matrixRow,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import {
  bundleDaemon,
  crashLines,
  startDaemonProcess,
  stopDaemonProcess,
  type DaemonProcess,
} from '../../../test-support/daemon-process';
import { RedisServer } from '../../../test-support/redis-server';
import { sandboxCloud, sandboxService, withFaultCloud } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';
import { copyImageId } from '../src/copy-image-ids';

const MiB = 1024 * 1024;
const run = `ft-${randomBytes(4).toString('hex')}`;
/** Every image this file makes, on any cloud, has a name starting so; afterAll removes them all. */
const named = (what: string) => `${run}-${what}`;
const images = new CloudImages();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two' | 'four', string>;
let bundleDir: string;
let daemonScript: string;
const daemons: DaemonProcess[] = [];
/**
 * Store files of uploads a stopped Glance cut short: Glance keeps them when the image is deleted
 * (deploy/sandbox/README.md), so afterAll removes them once the images are gone.
 */
const cutShort: string[] = [];

// ------------------------------------------------------------------ a private Redis

let redis: RedisServer;

// ------------------------------------------------------------------ helpers

/** A daemon process on this file's database and Redis, quick to take up a dead daemon's jobs. */
async function startDaemon(overrides: Record<string, string> = {}): Promise<DaemonProcess> {
  const daemon = await startDaemonProcess(
    daemonScript,
    env.env({
      GLINT_REDIS_URL: redis.url,
      GLINT_DAEMON_NAME: `${run}-daemon-${daemons.length + 1}`,
      GLINT_DAEMON_LOCK_SECONDS: '5',
      GLINT_DAEMON_GRACE_SECONDS: '5',
      GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
      ...overrides,
    }),
  );
  daemons.push(daemon);
  return daemon;
}

const alive = (daemon: DaemonProcess) =>
  daemon.child.exitCode === null && daemon.child.signalCode === null;

/** The images called `name` on a sandbox cloud, straight from its Glance, whatever their status. */
const imagesNamed = (cloud: number, name: string) => images.named(sandboxCloud(cloud), name, true);

interface CopyRow {
  queue_job_id: string;
  state: string;
  attempts: number;
  bytes_done: string;
  error: string | null;
  destination: string;
}

/** The copy job rows of a logical image (one per destination). */
const copyRows = (imageId: string) =>
  env.query<CopyRow & Record<string, unknown>>(
    `SELECT queue_job_id, state, attempts, bytes_done, error,
            payload->'destinations'->0->>'cloudImageId' AS destination
     FROM jobs WHERE operation = 'copy' AND image_id = $1 ORDER BY created_at`,
    [imageId],
  );

/** Says the image is wanted on the site, as the panel would; returns the copy's one row. */
async function want(imageId: string, siteId: string): Promise<CopyRow> {
  const applied = await applyPlacements(server, user, [
    { image: imageId, site: siteId, wanted: true },
  ]);
  expect(applied).toMatchObject({ copies: [{ destinations: [siteId] }] });
  const rows = await copyRows(imageId);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** Waits until the image's copy rows are all finished (succeeded, failed or cancelled). */
const finished = (imageId: string, timeoutMs?: number) =>
  until(
    `the copy of ${imageId} to end`,
    async () => {
      const rows = await copyRows(imageId);
      return rows.every((row) => !['queued', 'running'].includes(row.state)) && rows;
    },
    timeoutMs,
  );

async function cell(name: string, siteId: string) {
  const row = await matrixRow(server, user, name);
  return row.cells.find((c) => c.siteId === siteId)!;
}

/** The BullMQ job behind a row, once BullMQ recorded its end (a moment after the rows). */
async function endedQueueJob(queueJobId: string) {
  const queue = server.queues.queue('copy');
  return until(`queue job ${queueJobId} to end`, async () => {
    const job = await queue.getJob(queueJobId);
    const state = await job?.getState();
    return (state === 'completed' || state === 'failed') && { job: job!, state };
  });
}

/**
 * Waits until bytes flow to the destination: its image is filling (`saving`), or the job row
 * reports progress. The first is seen within milliseconds; the second may take a second.
 */
const underWay = (imageId: string, cloud: number, name: string) =>
  until(
    'the copy to be under way',
    async () => {
      const [row] = await copyRows(imageId);
      if (Number(row!.bytes_done) > 0) return true;
      return (await imagesNamed(cloud, name)).some((i) => i.status === 'saving');
    },
    60_000,
    10,
  );

/** A source image seeded on cloud 1, and its logical image (found by the first inventory). */
interface Seeded {
  name: string;
  image: ImageInfo;
  imageId: string;
}

/** One source image per test (`after` is the redis test's second job), seeded in beforeAll. */
const seeded: Record<'rot' | 'kill' | 'redis' | 'after' | 'glance', Seeded> = {} as never;
const sizes = {
  rot: 8 * MiB,
  kill: 256 * MiB,
  redis: 256 * MiB,
  after: 64 * 1024,
  // Bigger: the copy must still be running once the Glance has stopped (which takes a moment).
  glance: 512 * MiB,
};

// ------------------------------------------------------------------ setup

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'glint-faults-'));
  const redisDir = join(bundleDir, 'redis');
  await mkdir(redisDir);
  const bundled = bundleDaemon(bundleDir);
  // Append-only, synced on every write: a restart keeps every job, as in production.
  redis = await RedisServer.start([
    '--dir',
    redisDir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
  ]);
  ({ env, server, user, site } = await withSites(
    { one: 1, two: 2, four: 4 },
    { GLINT_REDIS_URL: redis.url },
  ));
  const source = sandboxCloud(1);
  const made = await Promise.all(
    (Object.keys(sizes) as (keyof typeof sizes)[]).map(async (what) => {
      const name = named(what);
      return [what, await images.seed(source, name, name, {}, sizes[what])] as const;
    }),
  );
  daemonScript = await bundled;
  // A daemon takes every site's first inventory as it starts (they are due), then none for an
  // hour; it is stopped again so that each test runs the daemons it needs.
  const daemon = await startDaemon();
  for (const [what, image] of made) {
    const found = await until(`${image.name} in the matrix`, async () => {
      const row = await matrixRow(server, user, image.name);
      return row?.cells.some((c) => c.siteId === site.one && c.state === 'unmanaged') && row;
    });
    seeded[what] = { name: image.name, image, imageId: found.id };
  }
  await stopDaemonProcess(daemon);
});

afterAll(async () => {
  // Every step runs whatever the others did; the first failure is reported at the end.
  const failures: unknown[] = [];
  const step = (work: () => Promise<unknown>) =>
    work().catch((error: unknown) => void failures.push(error));
  await step(() => Promise.all(daemons.map((daemon) => stopDaemonProcess(daemon, 5_000))));
  // A test that failed half-way may have left cloud 4's Glance stopped.
  await step(() => sandboxService('start', sandboxCloud(4), 'glance'));
  // Copies the daemons made (and any half-made one), found by the run's name prefix.
  for (const index of [2, 4])
    await step(async () => {
      const adapter = images.adapter(sandboxCloud(index));
      const ours: string[] = [];
      for await (const image of adapter.listImages())
        if (image.name?.startsWith(`${run}-`)) ours.push(image.id);
      await Promise.all(ours.map((id) => adapter.deleteImage(id)));
    });
  await step(() => images.close());
  for (const file of cutShort) await step(() => rm(file, { force: true }));
  if (env) await step(() => env.close());
  if (redis) await step(() => redis.stop());
  if (bundleDir) await step(() => rm(bundleDir, { recursive: true, force: true }));
  if (failures.length > 0) throw failures[0];
});

// ------------------------------------------------------------------ the faults

test('a source whose data does not match its hash: the job fails for good with the reason, and the destination is cleaned', async () => {
  const { name, image, imageId } = seeded.rot;
  // Bit rot in cloud 1's store: the same size, other bytes in the middle.
  const file = await open(join(sandboxCloud(1).storeDir, image.id), 'r+');
  await file.write(Buffer.from('not the bytes Glance hashed'), 0, undefined, sizes.rot / 2);
  await file.close();
  const daemon = await startDaemon();

  const { queue_job_id } = await want(imageId, site.two);
  const [row] = await finished(imageId);

  const reason = /does not match the digests the source declares.*sha512 differs/;
  expect(row).toMatchObject({ state: 'failed', attempts: 1 });
  expect(row!.error).toMatch(reason);
  const { job, state } = await endedQueueJob(queue_job_id);
  expect(state).toBe('failed');
  expect(job.attemptsMade).toBe(1);
  expect(job.failedReason).toMatch(reason);
  const after = await cell(name, site.two);
  expect(after.state).toBe('error');
  expect(after.message).toMatch(reason);
  expect(await imagesNamed(2, name)).toEqual([]);
  expect(alive(daemon)).toBe(true);
  await stopDaemonProcess(daemon);
});

test('kill -9 of the daemon during a 256 MiB copy: another daemon finishes it, and exactly one image is on the destination', async () => {
  const { name, image, imageId } = seeded.kill;
  // Capped, so that the kill lands mid-copy: uncapped, a copy verified by the ends (no hashing in
  // the daemon) can send all 256 MiB in the moment between "under way" and the kill.
  const first = await startDaemon({ GLINT_TRANSFER_BANDWIDTH_LIMIT: '32MiB' });
  const { queue_job_id, destination } = await want(imageId, site.two);

  await underWay(imageId, 2, name);
  first.child.kill('SIGKILL');
  await first.exited;

  // The fault hit the copy mid-way: a half-made image and a row still running.
  const left = await imagesNamed(2, name);
  expect(left.map((i) => i.id)).toEqual([destination]);
  expect(left[0]!.status).not.toBe('active');
  const [killed] = await copyRows(imageId);
  expect(killed).toMatchObject({ state: 'running', attempts: 1 });

  const second = await startDaemon();
  const [row] = await finished(imageId);

  // Taken up once more, by the second daemon, which removed the half-made copy first.
  expect(row).toMatchObject({ state: 'succeeded', attempts: 2, error: null });
  expect(Number(row!.bytes_done)).toBe(sizes.kill);
  const { job, state } = await endedQueueJob(queue_job_id);
  expect(state).toBe('completed');
  expect(job.processedBy).toBe(`${run}-daemon-${daemons.indexOf(second) + 1}`);
  const copies = await imagesNamed(2, name);
  expect(copies.map((c) => ({ id: c.id, status: c.status, hash: c.hashValue }))).toEqual([
    { id: copyImageId(destination, 1), status: 'active', hash: image.hashValue },
  ]);
  const after = await cell(name, site.two);
  expect(after).toMatchObject({ state: 'present', cloudImageId: copyImageId(destination, 1) });
  expect(await env.query(`SELECT 1 FROM jobs WHERE state IN ('queued', 'running')`)).toEqual([]);
  expect(crashLines(second)).toEqual([]);
  await stopDaemonProcess(second);
});

test('a restart of Redis during a copy: the daemon reconnects, and the copy goes on and completes', async () => {
  const { name, image, imageId } = seeded.redis;
  // With the default lock (30 s), as production runs: the restart must not cost the job its lock.
  const daemon = await startDaemon({ GLINT_DAEMON_LOCK_SECONDS: '30' });
  const { queue_job_id } = await want(imageId, site.two);

  await underWay(imageId, 2, name);
  await redis.stop();
  const [during] = await copyRows(imageId);
  expect(during!.state).toBe('running');
  await sleep(2000);
  await redis.start();

  const [row] = await finished(imageId);
  expect(row).toMatchObject({ state: 'succeeded', attempts: 1, error: null });
  expect((await endedQueueJob(queue_job_id)).state).toBe('completed');
  const copies = await imagesNamed(2, name);
  expect(copies.map((c) => ({ status: c.status, hash: c.hashValue }))).toEqual([
    { status: 'active', hash: image.hashValue },
  ]);
  expect((await cell(name, site.two)).state).toBe('present');

  // It takes new work after the restart too.
  await want(seeded.after.imageId, site.two);
  const [next] = await finished(seeded.after.imageId);
  expect(next).toMatchObject({ state: 'succeeded', attempts: 1 });

  expect(alive(daemon)).toBe(true);
  expect(daemon.log.some((line) => /Redis connection failed/.test(line))).toBe(true);
  expect(crashLines(daemon)).toEqual([]);
  await stopDaemonProcess(daemon);
});

test('a destination Glance stopped during a copy, then started: the copy retries and completes', async () => {
  await withFaultCloud(sandboxCloud(4), async () => {
    const { name, image, imageId } = seeded.glance;
    const cloud = sandboxCloud(4);
    const daemon = await startDaemon();
    const { destination } = await want(imageId, site.four);

    await underWay(imageId, 4, name);
    // Every state the row goes through from now on, with its error.
    const states: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const [r] = await copyRows(imageId);
        const seen = `${r!.state}:${r!.error ?? ''}`;
        if (states.at(-1) !== seen) states.push(seen);
        await sleep(100);
      }
    })();
    cutShort.push(join(cloud.storeDir, destination));
    let row: CopyRow | undefined;
    try {
      await sandboxService('stop', cloud, 'glance');
      const [during] = await copyRows(imageId);
      expect(during!.state).toBe('running');
      await sleep(3000);
      await sandboxService('start', cloud, 'glance');
      [row] = await finished(imageId, 150_000);
    } finally {
      await sandboxService('start', cloud, 'glance');
      watching = false;
      await watcher;
    }
    // The first attempt failed retryably (the row waited again, with the reason); the next copied.
    expect(states.some((s) => s.startsWith('queued:') && s.includes(cloud.glanceUrl))).toBe(true);
    expect(row).toMatchObject({ state: 'succeeded', attempts: 2, error: null });
    const copies = await imagesNamed(4, name);
    expect(copies.map((c) => ({ id: c.id, status: c.status, hash: c.hashValue }))).toEqual([
      { id: copyImageId(destination, 1), status: 'active', hash: image.hashValue },
    ]);
    expect((await cell(name, site.four)).state).toBe('present');
    expect(crashLines(daemon)).toEqual([]);
    await stopDaemonProcess(daemon);
  });
});
