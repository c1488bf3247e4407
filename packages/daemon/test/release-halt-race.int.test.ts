/**
 * A person's halt and the daemon's rollout step that asks for a copy, interleaved by hand rather
 * than by timing: the step reads the version as not halted, and the halt is saved and reads the
 * version's open copies before the step writes its copy row (the step held on the owner's
 * placements lock), or after it wrote the row but before the job is on the queue (the step held
 * in its enqueue). Either way no copy of the halted version runs: the step reads the halt again
 * on the version's locked row and asks for nothing, or the halt's cancel stops the job as it
 * starts.
 */
import { randomBytes } from 'node:crypto';
import type { JobQueues } from '@glint/core';
import {
  advanceRelease,
  loadDaemonConfig,
  workerResources,
  type WorkerResources,
} from '@glint/daemon';
import { repositoriesOn } from '@glint/store';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  refreshAll,
  startInventoryWorker,
  startTransferWorker,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import { sandboxCloud } from '../../../test-support/sandbox';
import { matrixRow, withSites, type SitesFixture } from '../../../test-support/test-environment';

jest.setTimeout(60_000);

const run = `relrace-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let fixture: SitesFixture<'build' | 'target'>;
let resources: WorkerResources;
let workers: RunningWorker[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  fixture = await withSites({ build: 1, target: 2 });
  resources = workerResources(loadDaemonConfig(fixture.env.env()), () => {});
  workers = await Promise.all([
    startInventoryWorker(fixture.env),
    startTransferWorker(fixture.env),
  ]);
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await resources?.close();
  for (const index of [1, 2]) {
    const adapter = images.adapter(sandboxCloud(index));
    for await (const image of adapter.listImages({ includeHidden: true }))
      if (image.name.startsWith(run)) await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  await fixture?.env.close();
});

/** A family rolling out to the target only, with version 1 (a build on cloud1) published. */
async function published(name: string) {
  const { env, server, user, site } = fixture;
  const { headers } = user;
  await images.seed(sandboxCloud(1), `${name}-build`, name);
  await refreshAll(server, user);
  const made = await server.inject({
    method: 'POST',
    url: '/api/v1/releases',
    headers,
    payload: {
      name,
      stableName: `${name} Stable`,
      sites: { ids: [site.target] },
      soakSeconds: 0,
      requiredProperties: [],
    },
  });
  expect(made.statusCode).toBe(201);
  const image = (await matrixRow(server, user, `${name}-build`)).id;
  const version = await server.inject({
    method: 'POST',
    url: `/api/v1/releases/${name}/versions`,
    headers,
    payload: { image, version: '1' },
  });
  expect(version.statusCode).toBe(201);
  // No release worker runs here: the family steps only when the test says.
  const [family] = await env.query<{ ownerId: string; familyId: string }>(
    'SELECT owner_id AS "ownerId", id AS "familyId" FROM release_families WHERE name = $1',
    [name],
  );
  return { ...family!, image };
}

const halt = async (name: string) => {
  const response = await fixture.server.inject({
    method: 'POST',
    url: `/api/v1/releases/${name}/halt`,
    headers: fixture.user.headers,
    payload: { reason: 'a bad build' },
  });
  expect(response.statusCode).toBe(200);
};

const copies = (image: string) =>
  fixture.env.query<{ queueJobId: string; state: string; bytes: number }>(
    `SELECT queue_job_id AS "queueJobId", state, bytes_done::int AS bytes
     FROM jobs WHERE operation = 'copy' AND image_id = $1`,
    [image],
  );

test('a halt saved after the step read the version, before it wrote its copy: no copy is asked for', async () => {
  const name = `${run}-before`;
  const { ownerId, familyId, image } = await published(name);
  // The step's copy transaction starts with the owner's placements lock: held here, the step
  // waits there, having read the version as not halted and written nothing yet.
  const held = await resources.options.pool.connect();
  try {
    await held.query('BEGIN');
    await repositoriesOn(held).placements.lockOwner(ownerId);
    const step = advanceRelease(resources.options, ownerId, familyId, 500);
    const { pid } = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!;
    while (
      (
        await fixture.env.query(
          'SELECT 1 FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))',
          [pid],
        )
      ).length === 0
    )
      await sleep(20);
    // The halt is saved and reads the version's open copies: there are none yet.
    await halt(name);
    await held.query('COMMIT');
    expect(await step).toMatchObject({ failed: 0 });
  } finally {
    held.release();
  }
  expect(await copies(image)).toEqual([]);
});

test('a halt saved after the step wrote its copy row, before the job is queued: the copy ends cancelled as it starts', async () => {
  const name = `${run}-after`;
  const { ownerId, familyId, image } = await published(name);
  const { queues } = resources.options;
  let reached!: () => void;
  let open!: () => void;
  const atEnqueue = new Promise<void>((resolve) => (reached = resolve));
  const gate = new Promise<void>((resolve) => (open = resolve));
  // The step's queues, held where it puts the copy it committed on the queue.
  const held = Object.assign(Object.create(queues) as JobQueues, {
    enqueue: async (...args: Parameters<JobQueues['enqueue']>) => {
      if (args[0] === 'copy' && args[1].length > 0) {
        reached();
        await gate;
      }
      return queues.enqueue(...args);
    },
  });
  const step = advanceRelease({ ...resources.options, queues: held }, ownerId, familyId, 500);
  await atEnqueue;
  const [row] = await copies(image);
  expect(row).toMatchObject({ state: 'queued' });
  // The halt finds the row and cancels its job, which is not on the queue yet: the row ends
  // cancelled now, and the request is kept for when the job is.
  await halt(name);
  expect(await copies(image)).toEqual([{ ...row, state: 'cancelled' }]);
  open();
  expect(await step).toMatchObject({ failed: 0 });
  // The transfer worker takes the job up, sees the cancel as it starts, and writes nothing.
  const job = await queues.queue('copy').getJob(row!.queueJobId);
  expect(job).toBeDefined();
  while (!['failed', 'completed', 'unknown'].includes(await job!.getState())) await sleep(50);
  expect(await job!.getState()).toBe('failed');
  expect((await queues.queue('copy').getJob(row!.queueJobId))?.failedReason).toMatch(/cancelled/);
  expect(await copies(image)).toEqual([{ ...row, state: 'cancelled', bytes: 0 }]);
  expect(await images.named(sandboxCloud(2), `${name} Stable (1)`, true)).toEqual([]);
});
