/**
 * A halt stops the halted version's copies under way, on real sandbox clouds through the API and
 * the daemon's workers: the family's one site is cloud2, its version's build is on cloud1, and the
 * transfer worker reads at GLINT_TRANSFER_BANDWIDTH_LIMIT, so the copy runs for seconds. The halt's
 * plan names the running copy, the halt cancels it and its half-made image goes, and a resume
 * copies the version again, to the end. The daemon's own halt, when a wave's failures pass the
 * threshold, cancels the copies under way the same way.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ReleasePlan } from '../src/schemas/release-plans';
import type { FamilyDetails } from '../src/schemas/releases';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  refreshAll,
  startReleaseWorkers,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import { releaseFamily } from '../../../test-support/release-family';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  matrixRow,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
/** 2 MiB a second: the copy of `size` takes about 8 s, long enough to halt it halfway. */
const overrides = {
  GLINT_TRANSFER_BANDWIDTH_LIMIT: '2MiB',
  GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
};
const size = 16 * MiB;
const name = `relcancel-${randomBytes(4).toString('hex')}`;
const stableName = `${name} Stable`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'build' | 'target' | 'other', string>;
let workers: RunningWorker[] = [];
let family: ReturnType<typeof releaseFamily<'target'>>;
const families: { removeAll(): Promise<void> }[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ build: 1, target: 2, other: 3 }, overrides));
  workers = await startReleaseWorkers(env, overrides);
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  for (const made of families) await made.removeAll();
  await images.close();
  await env?.close();
});

interface CopyRow {
  queueJobId: string;
  state: string;
  error: string | null;
  bytes: number;
}

/** The copies of a build to the target, oldest first. */
const copies = (build = `${name}-build`) =>
  env.query<CopyRow>(
    `SELECT j.queue_job_id AS "queueJobId", j.state, j.error, j.bytes_done::int AS bytes
     FROM jobs j JOIN images i ON i.id = j.image_id
     WHERE j.operation = 'copy' AND i.name = $1 AND j.destination_site_id = $2
     ORDER BY j.created_at`,
    [build, site.target],
  );

/** Waits until the latest copy of the build is in a state `done` accepts; that copy. */
async function copyUntil(
  done: (row: CopyRow) => boolean,
  build = `${name}-build`,
): Promise<CopyRow> {
  for (;;) {
    const row = (await copies(build)).at(-1);
    if (row && done(row)) return row;
    await sleep(100);
  }
}

/**
 * What a cloud holds of a family's version 1: its copies under "NAME (1)", whatever their state,
 * hidden ones too (a release's copy stays hidden until it takes the stable name).
 */
const versionOne = (cloud: number, stable = stableName) =>
  images.named(sandboxCloud(cloud), `${stable} (1)`, true);
const onTarget = () => versionOne(2);

/** A family of the test's sites, without required properties or soak; its API fixture. */
async function madeFamily<Site extends 'target' | 'other'>(
  familyName: string,
  sites: Record<Site, { id: string; cloud: number }>,
  extra: object = {},
) {
  const made = releaseFamily({
    env,
    server,
    user,
    images,
    name: familyName,
    stableName: `${familyName} Stable`,
    sites,
  });
  families.push(made);
  const created = await made.api('POST', '', {
    name: familyName,
    stableName: `${familyName} Stable`,
    sites: { ids: Object.values<{ id: string }>(sites).map((s) => s.id) },
    soakSeconds: 0,
    requiredProperties: [],
    ...extra,
  });
  expect(created.statusCode).toBe(201);
  return made;
}

/** A build of `size` on cloud1, known to Glint, published as the family's version 1. */
async function published(made: { api: typeof family.api }, familyName: string, build: string) {
  await images.seed(sandboxCloud(1), build, build, {}, size);
  await refreshAll(server, user);
  const image = (await matrixRow(server, user, build)).id;
  const response = await made.api('POST', `/${familyName}/versions`, { image, version: '1' });
  expect(response.statusCode).toBe(201);
  return image;
}

test('a halt cancels the version’s running copy, which leaves no image behind; its plan says so', async () => {
  family = await madeFamily(name, { target: { id: site.target, cloud: 2 } });
  await published(family, name, `${name}-build`);
  // Halfway: bytes have reached cloud2, the copy is far from done.
  const running = await copyUntil((row) => row.state === 'running' && row.bytes > 0);
  expect(await onTarget()).toHaveLength(1);

  const planned = await family.api('POST', `/${name}/halt/plan`, { reason: 'a bad build' });
  expect(planned.statusCode).toBe(200);
  const plan = planned.json<ReleasePlan>();
  expect(plan.summary).toBe(
    'The rollout of 1 stops where it is, and its copies under way are cancelled.',
  );
  expect(plan.sites.find((s) => s.siteId === site.target)?.changes).toEqual([
    {
      kind: 'cancel',
      version: '1',
      bytes: null,
      text: `the running copy of 1 (job ${running.queueJobId}) is cancelled and what it wrote is removed`,
      job: { id: running.queueJobId, state: 'running' },
    },
  ]);
  expect((await copies()).at(-1)?.state).toBe('running');

  const halted = await family.api('POST', `/${name}/halt`, { reason: 'a bad build' });
  expect(halted.statusCode).toBe(200);
  expect(halted.json<FamilyDetails>().versions[0]!.haltedReason).toBe('a bad build');
  const cancelled = await copyUntil((row) => row.state !== 'running');
  expect(cancelled).toMatchObject({ queueJobId: running.queueJobId, state: 'cancelled' });
  expect(await onTarget()).toEqual([]);
  // However often the family steps now, it copies nothing: the cancel is no failure to retry.
  const after = await family.stepTimes(6);
  expect(after.versions[0]).toMatchObject({ haltedReason: 'a bad build' });
  expect(family.stateOf(after, '1', 'target')).toBe('missing');
  expect(await copies()).toHaveLength(1);
  expect(await onTarget()).toEqual([]);
});

test('resuming copies the version again, to the end, and it takes the stable name', async () => {
  const resumed = await family.api('POST', `/${name}/resume`);
  expect(resumed.statusCode).toBe(200);
  const details = await family.stepUntil(family.stableEverywhere('1'));
  const [first, second] = await copies();
  expect(first).toMatchObject({ state: 'cancelled' });
  expect(second).toMatchObject({ state: 'succeeded', bytes: size });
  expect(await family.listed('target')).toEqual([family.copyOf(details, '1', 'target')]);
});

test('the daemon’s own halt, when a wave’s failures pass the threshold, cancels the copies under way', async () => {
  const other = `${name}-auto`;
  const made = await madeFamily(
    other,
    { target: { id: site.target, cloud: 2 }, other: { id: site.other, cloud: 3 } },
    { failureThreshold: 0.4 },
  );
  const image = await published(made, other, `${other}-build`);
  // One copy job streams to both sites of the wave.
  const running = await copyUntil(
    (row) => row.state === 'running' && row.bytes > 0,
    `${other}-build`,
  );
  // Meanwhile a person's copy of the same build to the other site fails: 1 of the wave's 2 sites.
  await env.query(
    `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, source_site_id,
                       destination_site_id, state, error, finished_at)
     SELECT owner_id, 'copy-' || gen_random_uuid(), 'copy', id, $2, $3, 'failed', 'quota exceeded', now()
     FROM images WHERE id = $1`,
    [image, site.build, site.other],
  );
  const halted = await made.stepUntil((f) => f.versions[0]!.haltedReason !== null);
  expect(halted.versions[0]!.haltedReason).toMatch(
    /^1 of 2 sites of wave 1 failed.*quota exceeded/,
  );
  const cancelled = await copyUntil((row) => row.state !== 'running', `${other}-build`);
  expect(cancelled).toMatchObject({ queueJobId: running.queueJobId, state: 'cancelled' });
  const rows = await env.query<{ state: string }>(
    'SELECT state FROM jobs WHERE queue_job_id = $1',
    [running.queueJobId],
  );
  expect(rows.map((row) => row.state)).toEqual(['cancelled', 'cancelled']);
  expect(await versionOne(2, `${other} Stable`)).toEqual([]);
  expect(await versionOne(3, `${other} Stable`)).toEqual([]);
});
