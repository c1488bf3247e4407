/**
 * Transfers stopped before their end: cancelled by their owner through the API while they stream,
 * and handed back by a daemon whose grace period ran out, to finish on another daemon.
 */
import { randomBytes } from 'node:crypto';
import type { ImageInfo } from '@glint/cloud-adapters';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  matrixRow,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { wantCopy } from '../../../test-support/want-copy';
import { sandboxCloud } from '../../../test-support/sandbox';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../src';

const MiB = 1024 * 1024;
const run = `stop-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two', string>;
const daemons: RunningDaemon[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A daemon in this process, on the test's database and Redis prefix. */
async function daemon(): Promise<RunningDaemon> {
  const config = loadDaemonConfig(
    env.env({ GLINT_DAEMON_GRACE_SECONDS: '1', GLINT_INVENTORY_INTERVAL_SECONDS: '3600' }),
  );
  const started = await startDaemon(config, () => {});
  daemons.push(started);
  return started;
}

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2 }));
});

afterAll(async () => {
  // Stopping a stopped daemon again is harmless.
  await Promise.all(daemons.map((d) => d.stop().catch(() => false)));
  const two = images.adapter(sandboxCloud(2));
  for await (const image of two.listImages({ includeHidden: true }))
    if (image.name.startsWith(run)) await two.deleteImage(image.id).catch(() => {});
  await images.close();
  await env?.close();
});

/** The images with this name on cloud 2, straight from its Glance. */
async function onTwo(name: string): Promise<ImageInfo[]> {
  const found: ImageInfo[] = [];
  for await (const image of images
    .adapter(sandboxCloud(2))
    .listImages({ name, includeHidden: true }))
    found.push(image);
  return found;
}

/** A large image on cloud 1, inventoried, and a copy of it to cloud 2 applied, once it runs: its job id. */
async function copyStarted(name: string): Promise<{ queueJobId: string }> {
  await images.seed(sandboxCloud(1), name, name, {}, 384 * MiB);
  const queueJobId = await wantCopy(server, user, name, site.two);
  for (;;) {
    const [job] = await env.query<{ state: string }>(
      'SELECT state FROM jobs WHERE queue_job_id = $1',
      [queueJobId],
    );
    if (job!.state === 'running') return { queueJobId };
    expect(job!.state).toBe('queued');
    await sleep(20);
  }
}

async function rowOf(queueJobId: string) {
  const [row] = await env.query<{ state: string; attempts: number; error: string | null }>(
    'SELECT state, attempts, error FROM jobs WHERE queue_job_id = $1',
    [queueJobId],
  );
  return row!;
}

test('a running copy cancelled through the API stops its stream and leaves nothing on the destination', async () => {
  const running = await daemon();
  const name = `${run}-cancel`;
  const job = await copyStarted(name);

  const cancel = await server.inject({
    method: 'POST',
    url: `/api/v1/jobs/${job.queueJobId}/cancel`,
    headers: user.headers,
  });
  expect(cancel.statusCode).toBe(202);
  expect(cancel.json()).toMatchObject({ state: 'running' });

  while ((await rowOf(job.queueJobId)).state === 'running') await sleep(100);
  expect(await rowOf(job.queueJobId)).toMatchObject({
    state: 'cancelled',
    error: 'cancelled by its owner',
  });
  const queued = await server.queues.queue('copy').getJob(job.queueJobId);
  expect(await queued!.getState()).toBe('failed');
  expect(queued!.failedReason).toBe('cancelled by its owner');
  expect(await onTwo(name)).toEqual([]);
  const cell = (await matrixRow(server, user, name)).cells.find((c) => c.siteId === site.two);
  expect(cell).toMatchObject({ state: 'missing', wanted: true });
  expect(await running.stop()).toBe(true);
});

test('a daemon stopping with a copy still running hands it back, and another daemon finishes it', async () => {
  const first = await daemon();
  const name = `${run}-handback`;
  const job = await copyStarted(name);

  // The grace period (1 s) is shorter than the copy: the copy is stopped and put back.
  expect(await first.stop()).toBe(false);
  expect(await rowOf(job.queueJobId)).toMatchObject({ state: 'queued', attempts: 1 });
  const queued = await server.queues.queue('copy').getJob(job.queueJobId);
  expect(['waiting', 'delayed']).toContain(await queued!.getState());
  expect(await onTwo(name)).toEqual([]);

  await daemon();
  while ((await rowOf(job.queueJobId)).state !== 'succeeded') {
    expect((await rowOf(job.queueJobId)).state).not.toBe('failed');
    await sleep(200);
  }
  expect(await rowOf(job.queueJobId)).toMatchObject({ attempts: 2, error: null });
  const finished = await server.queues.queue('copy').getJob(job.queueJobId);
  // BullMQ counts the attempt that succeeded; the hand-back is not one.
  expect(finished!.attemptsMade).toBe(1);
  const copies = await onTwo(name);
  expect(copies.map((c) => c.status)).toEqual(['active']);
  const source = (await matrixRow(server, user, name)).hash;
  expect(copies[0]!.hashValue).toBe(source!.value);
});
