/**
 * The queue contract as automation uses it: examples/distribute-image.ts puts a copy job straight
 * on the queue, as a CI pipeline would, and waits for its result from a running daemon.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../api/test/cloud-images';
import { refreshAll } from '../../api/test/inventory-worker';
import {
  matrixRow,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../api/test/test-environment';
import { sandboxCloud } from '../../../test-support/sandbox';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../src';

const root = join(__dirname, '..', '..', '..');
const run = `qc-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two', string>;
let daemon: RunningDaemon;

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2 }));
  daemon = await startDaemon(
    loadDaemonConfig(env.env({ GLINT_INVENTORY_INTERVAL_SECONDS: '3600' })),
    () => {},
  );
});

afterAll(async () => {
  await daemon?.stop();
  const two = images.adapter(sandboxCloud(2));
  for await (const image of two.listImages({ name: run })) await two.deleteImage(image.id);
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
  const me = (await server.inject({ url: '/api/v1/me', headers: { cookie: user.cookie } })).json<{
    id: string;
  }>();

  const { code, stdout, stderr } = await distribute([
    '--owner',
    me.id,
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
  expect(reply.result.destinations).toEqual([
    { siteId: site.two, cloudImageId: expect.any(String), bytes: source.size },
  ]);
  const copy = await images
    .adapter(sandboxCloud(2))
    .getImage(reply.result.destinations[0]!.cloudImageId);
  expect(copy).toMatchObject({ name: run, status: 'active', hashValue: source.hashValue });
  // The daemon recorded the job it was handed, so the history and the matrix show it.
  expect(
    await env.query(
      'SELECT operation, state, destination_site_id FROM jobs WHERE queue_job_id = $1',
      [reply.jobId],
    ),
  ).toEqual([{ operation: 'copy', state: 'succeeded', destination_site_id: site.two }]);
  const cells = (await matrixRow(server, user, run)).cells;
  expect(cells.find((cell) => cell.siteId === site.two)?.state).toBe('present');
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
