/**
 * Redis losing Glint's queues (what a restart without persistence, or a failover to an empty
 * replica, does): every BullMQ key of the file's prefix is deleted under a real daemon process,
 * with copies queued while no daemon runs, and with a copy running. PostgreSQL keeps the jobs; the
 * daemons' recovery check must put them back within GLINT_QUEUE_RECOVERY_SECONDS, and every copy
 * must end with exactly one image on each destination Glance.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queuePrefix } from '@glint/core';
import type { ImageInfo } from '@glint/cloud-adapters';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
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
import { sandboxCloud } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';

const MiB = 1024 * 1024;
const run = `rl-${randomBytes(4).toString('hex')}`;
const named = (what: string) => `${run}-${what}`;
const images = new CloudImages();
/** The recovery bound the daemons run with (GLINT_QUEUE_RECOVERY_SECONDS). */
const boundSeconds = 10;

let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two' | 'three', string>;
let redis: Redis;
let bundleDir: string;
let daemonScript: string;
const daemons: DaemonProcess[] = [];

/** The source images, on cloud 1, by what they are for, and their logical images. */
const sizes = { first: MiB, second: MiB, big: 256 * MiB, behind: MiB };
const seeded = {} as Record<keyof typeof sizes, { name: string; image: ImageInfo; id: string }>;

async function startDaemon(overrides: Record<string, string> = {}): Promise<DaemonProcess> {
  const daemon = await startDaemonProcess(
    daemonScript,
    env.env({
      GLINT_DAEMON_NAME: `${run}-daemon-${daemons.length + 1}`,
      GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
      GLINT_QUEUE_RECOVERY_SECONDS: String(boundSeconds),
      ...overrides,
    }),
  );
  daemons.push(daemon);
  return daemon;
}

/** Deletes every BullMQ key of this file's prefix: the queues, the jobs, their locks. */
async function loseQueue(): Promise<void> {
  const keys = await redis.keys(`${queuePrefix(env.redisPrefix)}:glint-*`);
  expect(keys.length).toBeGreaterThan(0);
  await redis.del(...keys);
}

const queuedJob = (queueJobId: string) => server.queues.queue('copy').getJob(queueJobId);

interface CopyRow {
  queue_job_id: string;
  destination_site_id: string;
  state: string;
  attempts: number;
}

const copyRows = (imageId: string) =>
  env.query<CopyRow & Record<string, unknown>>(
    `SELECT queue_job_id, destination_site_id, state, attempts FROM jobs
     WHERE operation = 'copy' AND image_id = $1 ORDER BY destination_site_id`,
    [imageId],
  );

/** Wants the image on the sites, as the panel would; returns the copy's queue job id. */
async function want(what: keyof typeof sizes, ...siteIds: string[]): Promise<string> {
  const applied = await applyPlacements(
    server,
    user,
    siteIds.map((siteId) => ({ image: seeded[what].id, site: siteId, wanted: true })),
  );
  expect(applied.copies).toHaveLength(1);
  return applied.jobs[0]!.id;
}

/** The images called `name` on a sandbox cloud, straight from its Glance, whatever their status. */
const imagesNamed = (cloud: number, name: string) => images.named(sandboxCloud(cloud), name, true);

/** Exactly one active copy of the seeded image, with its content, on each of the clouds. */
async function expectOneCopyOn(what: keyof typeof sizes, ...clouds: number[]): Promise<void> {
  const { name, image } = seeded[what];
  for (const cloud of clouds)
    expect((await imagesNamed(cloud, name)).map((i) => [i.status, i.hashValue])).toEqual([
      ['active', image.hashValue],
    ]);
}

/** Waits until every row of the images' copies ended; returns the rows. */
const allEnded = (...what: (keyof typeof sizes)[]) =>
  until(
    'the copies to end',
    async () => {
      const rows = (await Promise.all(what.map((w) => copyRows(seeded[w].id)))).flat();
      return rows.every((row) => !['queued', 'running'].includes(row.state)) && rows;
    },
    180_000,
  );

/** Waits, at most the recovery bound, until each queue job is on the queue again. */
async function backWithinBound(...queueJobIds: string[]): Promise<void> {
  await until(
    `jobs ${queueJobIds.join(', ')} to be back on the queue`,
    async () => (await Promise.all(queueJobIds.map(queuedJob))).every(Boolean),
    boundSeconds * 1000,
  );
}

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'glint-redis-loss-'));
  const bundled = bundleDaemon(bundleDir);
  ({ env, server, user, site } = await withSites({ one: 1, two: 2, three: 3 }));
  redis = new Redis(env.env().GLINT_REDIS_URL!);
  const made = await Promise.all(
    (Object.keys(sizes) as (keyof typeof sizes)[]).map(async (what) => {
      const name = named(what);
      return [what, name, await images.seed(sandboxCloud(1), name, name, {}, sizes[what])] as const;
    }),
  );
  daemonScript = await bundled;
  // The first daemon takes every site's first inventory (they are due), then none for an hour.
  const daemon = await startDaemon();
  for (const [what, name, image] of made) {
    const row = await until(`${name} in the matrix`, async () => {
      const found = await matrixRow(server, user, name);
      return found?.cells.some((c) => c.siteId === site.one && c.state === 'unmanaged') && found;
    });
    seeded[what] = { name, image, id: row.id };
  }
  await stopDaemonProcess(daemon);
});

// Each test runs the daemons it needs, whatever the one before left running.
afterEach(() => Promise.all(daemons.map((daemon) => stopDaemonProcess(daemon, 5_000))));

afterAll(async () => {
  for (const index of [2, 3]) {
    const adapter = images.adapter(sandboxCloud(index));
    for await (const image of adapter.listImages())
      if (image.name?.startsWith(`${run}-`)) await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  redis?.disconnect();
  await env?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

test('Redis loses the queue while no daemon runs: the queued copies are put back within the bound and end with one image on each destination', async () => {
  const first = await want('first', site.two, site.three);
  const second = await want('second', site.two);
  expect(await queuedJob(first)).toBeDefined();
  await loseQueue();
  expect(await queuedJob(first)).toBeUndefined();
  expect(await queuedJob(second)).toBeUndefined();

  const daemon = await startDaemon();
  await backWithinBound(first, second);
  const rows = await allEnded('first', 'second');

  expect(rows.map((row) => [row.queue_job_id, row.state, row.attempts])).toEqual([
    ...[first, first].map((id) => [id, 'succeeded', 1]),
    [second, 'succeeded', 1],
  ]);
  await expectOneCopyOn('first', 2, 3);
  await expectOneCopyOn('second', 2);
  expect(daemon.log.some((line) => /queue recovery: put back/.test(line))).toBe(true);
  expect(crashLines(daemon)).toEqual([]);
  await stopDaemonProcess(daemon);
});

test('Redis loses the queue during a copy: the running copy finishes once, the one queued behind it is put back within the bound', async () => {
  // One transfer at a time: the second copy waits on the queue behind the first.
  const daemon = await startDaemon({ GLINT_DAEMON_CONCURRENCY: '1' });
  const big = await want('big', site.two);
  await until(
    'the big copy to be under way',
    async () => (await imagesNamed(2, seeded.big.name)).some((i) => i.status === 'saving'),
    60_000,
    10,
  );
  const behind = await want('behind', site.three);
  expect(await (await queuedJob(behind))!.getState()).toBe('waiting');

  await loseQueue();
  // The running copy is its daemon's: it is never put on the queue again, during or after it.
  let bigQueuedAgain = false;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      if (await queuedJob(big)) bigQueuedAgain = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    await backWithinBound(behind);
    await allEnded('big', 'behind');
    // Longer than a recovery check takes to come round again.
    await new Promise((resolve) => setTimeout(resolve, boundSeconds * 1000));
  } finally {
    watching = false;
    await watcher;
  }

  expect(bigQueuedAgain).toBe(false);
  expect((await copyRows(seeded.big.id)).map((row) => [row.state, row.attempts])).toEqual([
    ['succeeded', 1],
  ]);
  expect((await copyRows(seeded.behind.id)).map((row) => [row.state, row.attempts])).toEqual([
    ['succeeded', 1],
  ]);
  await expectOneCopyOn('big', 2);
  await expectOneCopyOn('behind', 3);
  expect(crashLines(daemon)).toEqual([]);
  await stopDaemonProcess(daemon);
});
