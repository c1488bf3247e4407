/**
 * The queue recovery check against every state BullMQ can hold a job in, on real PostgreSQL and
 * Redis: job rows written as the API writes them, BullMQ states made by real BullMQ workers (no
 * cloud is involved), and Redis losing what a restart without persistence loses.
 */
import { randomUUID } from 'node:crypto';
import {
  JOBS,
  QUEUES,
  cancelRequestKey,
  queuePrefix,
  type CopyJob,
  type GlintEvent,
} from '@glint/core';
import { dispatchJobs, repositoriesOn, type PendingJob } from '@glint/store';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { withSites, type TestEnvironment } from '../../../test-support/test-environment';
import { until } from '../../../test-support/until';
import {
  confirmRunningJobs,
  loadDaemonConfig,
  recoverLostJobs,
  workerResources,
  type WorkerOptions,
  type WorkerResources,
} from '../src';

/** The bound the checks run with: rows unconfirmed for half of it (30 s) are claimed. */
const boundMs = 60_000;

let env: TestEnvironment;
let site: Record<'one' | 'two', string>;
/** The demo project, which owns the sites, and its user, who asks for the jobs. */
let ownerId: string;
let userId: string;
let redis: Redis;
/** Two daemons' resources (no workers): each runs its own checks. */
const daemons: WorkerResources[] = [];
const testWorkers: Worker[] = [];
let options: WorkerOptions;

beforeAll(async () => {
  ({ env, site } = await withSites({ one: 1, two: 2 }));
  const [owner] = await env.query<{ owner_id: string }>(
    'SELECT owner_id FROM sites WHERE id = $1',
    [site.one],
  );
  ownerId = owner!.owner_id;
  [{ id: userId }] = (await env.query<{ id: string }>('SELECT id FROM users')) as [{ id: string }];
  redis = new Redis(env.env().GLINT_REDIS_URL!);
  for (const name of ['a', 'b'])
    daemons.push(workerResources(loadDaemonConfig(env.env({ GLINT_DAEMON_NAME: name })), () => {}));
  options = daemons[0]!.options;
});

afterEach(async () => {
  await Promise.all(testWorkers.splice(0).map((worker) => worker.close(true)));
  await env.query(`UPDATE jobs SET state = 'cancelled' WHERE state IN ('queued', 'running')`);
  await loseQueue();
});

afterAll(async () => {
  await Promise.all(daemons.map((daemon) => daemon.close()));
  redis?.disconnect();
  await env?.close();
});

const queue = () => options.queues.queue('copy');

/** Deletes every BullMQ key of this file's prefix, as a Redis restarted without persistence. */
async function loseQueue(): Promise<void> {
  const keys = await redis.keys(`${queuePrefix(env.redisPrefix)}:glint-*`);
  if (keys.length > 0) await redis.del(...keys);
}

/**
 * A copy to both sites recorded as the API records one (a row per destination, the payload in the
 * outbox) and put on the queue (unless `enqueue` is false); its rows are `state`.
 */
async function copyJob({
  state = 'queued',
  enqueue = true,
}: { state?: 'queued' | 'running'; enqueue?: boolean } = {}): Promise<
  PendingJob & { payload: CopyJob }
> {
  const queueJobId = `copy-${randomUUID()}`;
  const payload: CopyJob = {
    version: 1,
    ownerId,
    imageId: randomUUID(),
    source: { siteId: site.one, cloudImageId: randomUUID() },
    destinations: [site.one, site.two].map((siteId) => ({ siteId, cloudImageId: randomUUID() })),
    visibility: 'private',
    requestedBy: userId,
  };
  const jobs = repositoriesOn(options.pool).jobs;
  await jobs.insert(
    ownerId,
    userId,
    payload.destinations.map(({ siteId }) => ({
      queueJobId,
      operation: 'copy',
      imageId: null,
      sourceSiteId: site.one,
      destinationSiteId: siteId,
      bytesTotal: null,
      payload,
    })),
  );
  const pending = { queueJobId, operation: 'copy' as const, payload };
  if (enqueue) await dispatchJobs(options.queues, jobs, options.publish, [pending]);
  if (state === 'running')
    await env.query(`UPDATE jobs SET state = 'running', attempts = 1 WHERE queue_job_id = $1`, [
      queueJobId,
    ]);
  return pending;
}

/** Makes the jobs' rows look as if nobody had confirmed them for an hour. */
async function unconfirmed(...jobs: PendingJob[]): Promise<void> {
  await env.query(
    `UPDATE jobs SET confirmed_at = now() - interval '1 hour' WHERE queue_job_id = ANY ($1)`,
    [jobs.map((job) => job.queueJobId)],
  );
}

async function rows(job: PendingJob) {
  return env.query<{ state: string; bytes_done: string; error: string | null; stale: boolean }>(
    `SELECT state, bytes_done, error, confirmed_at < now() - interval '1 minute' AS stale
     FROM jobs WHERE queue_job_id = $1 ORDER BY destination_site_id`,
    [job.queueJobId],
  );
}

const stateOf = async (job: PendingJob) =>
  (await queue().getJob(job.queueJobId))?.getState() ?? 'missing';

/** A BullMQ worker on the transfer queue, running `process` instead of a real transfer. */
function testWorker(process: (job: Job) => Promise<unknown>, lockDuration = 30_000): Worker {
  const { connection, prefix } = options.bullmq;
  const worker = new Worker(QUEUES.transfer, process, {
    connection,
    prefix,
    lockDuration,
    stalledInterval: lockDuration,
  });
  worker.on('error', () => {});
  testWorkers.push(worker);
  return worker;
}

const nothing = { requeued: [], settled: [], cancelled: [] };

test('jobs waiting or delayed on the queue are left to it, and their rows confirmed', async () => {
  const waiting = await copyJob();
  const delayed = await copyJob({ enqueue: false });
  await queue().add(JOBS.copy.name, delayed.payload, { jobId: delayed.queueJobId, delay: 60_000 });
  await unconfirmed(waiting, delayed);

  expect(await recoverLostJobs(options, boundMs)).toEqual(nothing);
  expect(await stateOf(waiting)).toBe('waiting');
  expect(await stateOf(delayed)).toBe('delayed');
  for (const job of [waiting, delayed])
    expect(await rows(job)).toEqual([
      expect.objectContaining({ state: 'queued', stale: false }),
      expect.objectContaining({ state: 'queued', stale: false }),
    ]);
});

test('a job a live worker holds (its lock renewed) is left alone, even with its rows unconfirmed', async () => {
  const held = await copyJob({ state: 'running' });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  testWorker(() => gate);
  await until('the job to be taken', async () => (await stateOf(held)) === 'active');
  await unconfirmed(held);

  expect(await recoverLostJobs(daemons[1]!.options, boundMs)).toEqual(nothing);
  expect(await stateOf(held)).toBe('active');
  expect(await queue().getJobCounts('waiting', 'active', 'delayed')).toEqual({
    waiting: 0,
    active: 1,
    delayed: 0,
  });
  release();
});

test('an active job whose lock expired is left to BullMQ, whose stalled-job check hands it to a worker again', async () => {
  const stalled = await copyJob({ state: 'running' });
  // A worker that dies holding the job: closed without waiting, its lock no longer renewed.
  const dying = testWorker(() => new Promise(() => {}), 1000);
  await until('the job to be taken', async () => (await stateOf(stalled)) === 'active');
  await dying.close(true);
  await until(
    'its lock to expire',
    async () =>
      (await redis.exists(
        `${queuePrefix(env.redisPrefix)}:glint-transfer:${stalled.queueJobId}:lock`,
      )) === 0,
  );
  await unconfirmed(stalled);

  expect(await recoverLostJobs(options, boundMs)).toEqual(nothing);
  expect(await stateOf(stalled)).toBe('active');

  const taken: string[] = [];
  testWorker(async (job) => void taken.push(job.id!), 500);
  await until('the stalled job to run again', async () => taken.length > 0 && taken);
  expect(taken).toEqual([stalled.queueJobId]);
});

test('jobs the queue lost are put back under their ids with their payloads, once, however many daemons check at once', async () => {
  const queued = await copyJob();
  const running = await copyJob({ state: 'running' });
  const never = await copyJob({ enqueue: false });
  await loseQueue();
  await unconfirmed(queued, running, never);

  const checks = await Promise.all(daemons.map((d) => recoverLostJobs(d.options, boundMs)));
  const requeued = new Set(checks.flatMap((check) => check.requeued));
  expect([...requeued].sort()).toEqual([queued, running, never].map((j) => j.queueJobId).sort());
  for (const job of [queued, running, never]) {
    const back = (await queue().getJob(job.queueJobId))!;
    expect(await back.getState()).toBe('waiting');
    expect(back.data).toEqual(job.payload);
    expect(back.opts.attempts).toBe(5);
  }
  expect(await queue().getJobCounts('waiting')).toEqual({ waiting: 3 });
  // Running rows wait for their next start, which clears what the lost one left on the sites.
  expect((await rows(running)).map((r) => r.state)).toEqual(['running', 'running']);
  // Confirmed now: the next check leaves them be.
  expect(await recoverLostJobs(options, boundMs)).toEqual(nothing);
});

test('a backlog larger than one batch is checked in one go', async () => {
  // 260 copies of two rows each: more rows than one claim takes (500).
  const backlog: PendingJob[] = [];
  for (let i = 0; i < 260; i += 1) backlog.push(await copyJob({ enqueue: false }));
  await unconfirmed(...backlog);

  const { requeued } = await recoverLostJobs(options, boundMs);
  expect(requeued.sort()).toEqual(backlog.map((job) => job.queueJobId).sort());
  expect(await queue().getJobCounts('waiting')).toEqual({ waiting: 260 });
});

test('a job the queue kept the data of but lost from its lists is put back', async () => {
  const orphan = await copyJob();
  await redis.lrem(`${queuePrefix(env.redisPrefix)}:glint-transfer:wait`, 0, orphan.queueJobId);
  expect(await stateOf(orphan)).toBe('unknown');
  await unconfirmed(orphan);

  expect(await recoverLostJobs(options, boundMs)).toEqual({
    ...nothing,
    requeued: [orphan.queueJobId],
  });
  expect(await stateOf(orphan)).toBe('waiting');
  expect((await queue().getJob(orphan.queueJobId))!.data).toEqual(orphan.payload);
});

test('a job running on a daemon is never put back, even when the queue lost it and its rows went unconfirmed', async () => {
  const mine = await copyJob({ state: 'running' });
  const running = await options.control.start(mine.queueJobId);
  await loseQueue();
  await unconfirmed(mine);

  // Its own daemon's check skips it; the daemon's confirmation keeps every other daemon's away.
  expect(await recoverLostJobs(options, boundMs)).toEqual(nothing);
  await unconfirmed(mine);
  await confirmRunningJobs(options);
  expect(await recoverLostJobs(daemons[1]!.options, boundMs)).toEqual(nothing);
  expect(await stateOf(mine)).toBe('missing');

  // Once it is no longer running there (its daemon died), its rows go unconfirmed and it comes back.
  running.done();
  await unconfirmed(mine);
  expect(await recoverLostJobs(daemons[1]!.options, boundMs)).toEqual({
    ...nothing,
    requeued: [mine.queueJobId],
  });
});

test('a job the queue finished while its rows missed the end is settled as the queue says, not run again', async () => {
  const completed = await copyJob({ state: 'running' });
  const failed = await copyJob({ state: 'running' });
  // Workers that end the jobs on the queue without writing the rows, as a daemon dying in between.
  testWorker(async (job) => {
    if (job.id === failed.queueJobId) throw new UnrecoverableError('the cloud said no');
    return { destinations: [site.one, site.two].map((siteId) => ({ siteId, bytes: 4096 })) };
  });
  await until('both jobs to end', async () => {
    const states = await Promise.all([completed, failed].map(stateOf));
    return states.join() === 'completed,failed';
  });
  await unconfirmed(completed, failed);

  const recovery = await recoverLostJobs(options, boundMs);
  expect(recovery.requeued).toEqual([]);
  expect(recovery.settled.sort()).toEqual([completed.queueJobId, failed.queueJobId].sort());
  expect(await rows(completed)).toEqual([
    { state: 'succeeded', bytes_done: '4096', error: null, stale: false },
    { state: 'succeeded', bytes_done: '4096', error: null, stale: false },
  ]);
  expect((await rows(failed)).map((r) => [r.state, r.error])).toEqual([
    ['failed', 'the cloud said no'],
    ['failed', 'the cloud said no'],
  ]);
  expect([await stateOf(completed), await stateOf(failed)]).toEqual(['completed', 'failed']);
});

test('a lost job whose owner asked to cancel it is cancelled, not put back', async () => {
  const cancelled = await copyJob();
  await redis.set(`${env.redisPrefix}${cancelRequestKey(cancelled.queueJobId)}`, ownerId, 'EX', 60);
  await loseQueue();
  await unconfirmed(cancelled);

  expect(await recoverLostJobs(options, boundMs)).toEqual({
    ...nothing,
    cancelled: [cancelled.queueJobId],
  });
  expect((await rows(cancelled)).map((r) => [r.state, r.error])).toEqual([
    ['cancelled', 'cancelled by its owner'],
    ['cancelled', 'cancelled by its owner'],
  ]);
  expect(await stateOf(cancelled)).toBe('missing');
});

test('a job that ended before its dispatch (a halt cancelled it) is neither queued nor announced', async () => {
  const ended = await copyJob({ enqueue: false });
  const open = await copyJob({ enqueue: false });
  await env.query(`UPDATE jobs SET state = 'cancelled' WHERE queue_job_id = $1`, [
    ended.queueJobId,
  ]);
  const heard: GlintEvent[] = [];
  const jobs = repositoriesOn(options.pool).jobs;
  await dispatchJobs(
    options.queues,
    jobs,
    async (_owner, events) => {
      heard.push(...events);
    },
    [ended, open],
  );

  expect(heard).toEqual([
    expect.objectContaining({ type: 'job', queueJobId: open.queueJobId, state: 'queued' }),
  ]);
  expect([await stateOf(ended), await stateOf(open)]).toEqual(['missing', 'waiting']);
  // Both left the outbox: the ended one is not dispatched again either.
  const pending = (await jobs.pending(1000)).map((job) => job.queueJobId);
  expect(pending).not.toContain(ended.queueJobId);
  expect(pending).not.toContain(open.queueJobId);
});
