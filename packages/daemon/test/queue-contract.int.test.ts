/**
 * The queue contract as automation uses it: examples/distribute-image.ts puts a copy job straight
 * on the queue, as a CI pipeline would, and waits for its result from a running daemon. Jobs put
 * there wrongly (a bad payload, an unknown name, another user's ids) fail, recorded for their owner.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { eventChannel, JOBS, jobOptions, subscriberConnection, type GlintEvent } from '@glint/core';
import { CloudImages } from '../../../test-support/cloud-images';
import { refreshAll } from '../../../test-support/inventory-worker';
import {
  login,
  matrixRow,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { sandboxCloud } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../src';

const root = join(__dirname, '..', '..', '..');
const run = `qc-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two', string>;
let daemon: RunningDaemon;
let ownerId: string;
let subscriber: Redis;
/** Every event the owner's channel carried, in order. */
const heard: GlintEvent[] = [];

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2 }));
  ownerId = (await server.inject({ url: '/api/v1/me', headers: { cookie: user.cookie } })).json<{
    ownerId: string;
  }>().ownerId;
  const { GLINT_REDIS_URL, GLINT_REDIS_PREFIX } = env.env();
  subscriber = subscriberConnection(GLINT_REDIS_URL!);
  subscriber.on('message', (_channel, message) => heard.push(JSON.parse(message) as GlintEvent));
  await subscriber.subscribe(eventChannel(GLINT_REDIS_PREFIX!, ownerId));
  daemon = await startDaemon(
    loadDaemonConfig(env.env({ GLINT_INVENTORY_INTERVAL_SECONDS: '3600' })),
    () => {},
  );
});

afterAll(async () => {
  subscriber?.disconnect();
  await daemon?.stop();
  const two = images.adapter(sandboxCloud(2));
  for await (const image of two.listImages({ name: run, includeHidden: true }))
    await two.deleteImage(image.id);
  await images.close();
  await env?.close();
});

/** Runs the example as a pipeline would; resolves with its exit code and output. */
async function distribute(args: string[]) {
  const { GLINT_REDIS_URL, GLINT_REDIS_PREFIX } = env.env();
  try {
    const { stdout, stderr } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'example:distribute', '--', ...args],
      { cwd: root, env: { ...process.env, GLINT_REDIS_URL, GLINT_REDIS_PREFIX } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('the example enqueues a copy straight into Redis and reports its result; the copy is recorded like any other', async () => {
  const source = await images.seed(sandboxCloud(1), run, run);
  await refreshAll(server, user);
  const row = await matrixRow(server, user, run);

  const { code, stdout, stderr } = await distribute([
    '--owner',
    ownerId,
    '--image',
    row.id,
    '--from',
    `${site.one}:${source.id}`,
    '--to',
    site.two,
  ]);

  expect(stderr).toMatch(/^queued copy-/m);
  expect(code).toBe(0);
  const reply = JSON.parse(stdout) as {
    jobId: string;
    state: string;
    result: { destinations: { siteId: string; cloudImageId: string; bytes: number }[] };
  };
  expect(reply.state).toBe('completed');
  // Besides these, a copy's stages (when it passed each) are in the result too.
  expect(reply.result.destinations).toEqual([
    expect.objectContaining({
      siteId: site.two,
      cloudImageId: expect.any(String),
      bytes: source.size,
      method: 'stream',
      // Two Glances: the copy's own sha512 against the source's proved it, Glint hashed nothing.
      verification: { method: 'ends', algo: 'sha512' },
    }),
  ]);
  const copy = await images
    .adapter(sandboxCloud(2))
    .getImage(reply.result.destinations[0]!.cloudImageId);
  expect(copy).toMatchObject({ name: run, status: 'active', hashValue: source.hashValue });
  // The daemon recorded the job it was handed, so the history and the matrix show it: under the
  // id it was enqueued with, named, with its total from the source.
  const job = await server.inject({
    url: `/api/v1/jobs/${reply.jobId}`,
    headers: { cookie: user.cookie },
  });
  expect(job.json()).toMatchObject({
    id: reply.jobId,
    operation: 'copy',
    state: 'succeeded',
    imageId: row.id,
    imageName: run,
    sourceSiteName: 'one',
    parts: [
      { siteId: site.two, state: 'succeeded', bytesDone: source.size, bytesTotal: source.size },
    ],
  });
  const cells = (await matrixRow(server, user, run)).cells;
  expect(cells.find((cell) => cell.siteId === site.two)?.state).toBe('present');
  // Its owner heard it queued, running and done, as for a job the API queued.
  const states = heard
    .filter((event) => event.type === 'job' && event.queueJobId === reply.jobId)
    .map((event) => (event.type === 'job' ? event.state : ''));
  expect(states.filter((state, i) => state !== states[i - 1])).toEqual([
    'queued',
    'running',
    'succeeded',
  ]);
});

test('bad arguments exit with 2 and a reason, and enqueue nothing', async () => {
  const before = await server.queues.queue('copy').getJobCounts();
  const missing = await distribute(['--owner', 'someone']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/needs --owner, --image, --from/);
  const malformed = await distribute([
    '--owner',
    'not-a-uuid',
    '--image',
    site.one,
    '--from',
    `${site.one}:x`,
    '--to',
    site.two,
  ]);
  expect(malformed.code).toBe(2);
  expect(malformed.stderr).toMatch(/invalid copy job payload: \/ownerId/);
  expect(await server.queues.queue('copy').getJobCounts()).toEqual(before);
});

/** Puts a job straight on a queue, as automation may, with no check; resolves with its failed reason. */
async function failedReason(
  kind: 'copy' | 'delete',
  name: string,
  data: unknown,
): Promise<{ jobId: string; reason: string }> {
  const jobId = `${kind}-${randomUUID()}`;
  const queue = server.queues.queue(kind);
  await queue.add(name, data, { jobId, ...jobOptions(kind) });
  const reason = await until(`job ${jobId} to fail`, async () => {
    const job = await queue.getJob(jobId);
    return (await job?.isFailed()) && job!.failedReason;
  });
  return { jobId, reason };
}

const jobOf = (id: string) =>
  server.inject({ url: `/api/v1/jobs/${id}`, headers: { cookie: user.cookie } });

const copyPayload = (extra: object = {}) => ({
  version: 1,
  ownerId,
  imageId: randomUUID(),
  source: { siteId: site.one, cloudImageId: randomUUID() },
  destinations: [{ siteId: site.two, cloudImageId: randomUUID() }],
  visibility: 'private',
  requestedBy: 'a pipeline',
  ...extra,
});

test('a job with a bad payload or an unknown name fails with its reason, recorded and told to its owner', async () => {
  const badPayload = await failedReason('copy', JOBS.copy.name, copyPayload({ visibility: 'all' }));
  expect(badPayload.reason).toMatch(/^invalid copy job payload: \/visibility /);
  const badName = await failedReason('copy', 'clone', copyPayload());
  expect(badName.reason).toBe('no transfer is called "clone": name the job copy or import');
  const badDelete = await failedReason('delete', 'remove', { ownerId });
  expect(badDelete.reason).toBe('no job is called "remove" on glint-delete: name it delete');

  for (const [{ jobId, reason }, operation] of [
    [badPayload, 'copy'],
    [badName, 'copy'],
    [badDelete, 'delete'],
  ] as const) {
    const job = await jobOf(jobId);
    expect(job.statusCode).toBe(200);
    expect(job.json()).toMatchObject({
      id: jobId,
      operation,
      state: 'failed',
      imageId: null,
      parts: [{ siteId: null, state: 'failed', error: reason }],
    });
    await until(`the failed event of ${jobId}`, async () =>
      heard.some(
        (event) =>
          event.type === 'job' &&
          event.queueJobId === jobId &&
          event.state === 'failed' &&
          event.error === reason,
      ),
    );
  }
});

test('a bad job whose owner is no Glint user fails with its reason and records nothing', async () => {
  const before = await env.snapshot('jobs');
  for (const owner of [randomUUID(), 'not-a-uuid', undefined]) {
    const { reason } = await failedReason('copy', JOBS.copy.name, {
      ...copyPayload({ visibility: 'all' }),
      ownerId: owner,
    });
    expect(reason).toMatch(/^invalid copy job payload: /);
  }
  expect(await env.snapshot('jobs')).toEqual(before);
});

test("a job naming another project's image and site fails for good, recorded for its owner without them", async () => {
  const other = await login(server, 'noimage');
  const otherId = (
    await server.inject({ url: '/api/v1/me', headers: { cookie: other.cookie } })
  ).json<{ ownerId: string }>().ownerId;
  const [theirImage] = await env.query<{ id: string }>(
    `INSERT INTO images (owner_id, name) VALUES ($1, 'theirs') RETURNING id`,
    [otherId],
  );
  const [theirSite] = await env.query<{ id: string }>(
    `INSERT INTO sites (owner_id, type, name, config)
     VALUES ($1, 'openstack', 'theirs', '{"authUrl": "http://k/v3", "interface": "public"}') RETURNING id`,
    [otherId],
  );
  const { jobId, reason } = await failedReason(
    'copy',
    JOBS.copy.name,
    copyPayload({
      imageId: theirImage!.id,
      destinations: [{ siteId: theirSite!.id, cloudImageId: randomUUID() }],
    }),
  );
  expect(reason).toBe(
    `image ${theirImage!.id}, site ${theirSite!.id} are not the owner's (${ownerId}): ` +
      'take the ids from GET /api/v1/matrix and GET /api/v1/sites as a user of that project',
  );
  const rows = await env.query('SELECT * FROM jobs WHERE queue_job_id = $1', [jobId]);
  expect(rows).toEqual([
    expect.objectContaining({
      owner_id: ownerId,
      operation: 'copy',
      state: 'failed',
      image_id: null,
      image_name: null,
      source_site_id: null,
      destination_site_id: null,
      payload: null,
    }),
  ]);
  // The reason repeats the ids the job was given, whoever's they are; nothing else names them.
  const event = await until('the failed event', async () =>
    heard.find((e) => e.type === 'job' && e.queueJobId === jobId),
  );
  expect(event).toEqual({
    type: 'job',
    queueJobId: jobId,
    operation: 'copy',
    state: 'failed',
    imageId: null,
    siteIds: [],
    error: reason,
  });
  // The other user's history has nothing of it either.
  const theirJobs = await server.inject({ url: '/api/v1/jobs', headers: { cookie: other.cookie } });
  expect(theirJobs.json().jobs).toEqual([]);
});
