/**
 * The daemon's limits, with real `glint-daemon` processes on the sandbox clouds: a site never takes
 * part in more transfers at once than GLINT_SITE_TRANSFER_LIMIT, as the destination's own Glance
 * shows, and two daemons split a queue of copies between them with every job run exactly once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageInfo } from '@glint/cloud-adapters';
import type { CopyJob, ImageStatus } from '@glint/core';
import { Redis } from 'ioredis';
import type { Matrix } from '../../api/src/schemas/matrix';
import { CloudImages } from '../../../test-support/cloud-images';
import { refreshAll } from '../../../test-support/inventory-worker';
import {
  applyPlacements,
  withSites,
  type SitesFixture,
} from '../../../test-support/test-environment';
import {
  bundleDaemon,
  startDaemonProcess,
  stopDaemonProcess,
  type DaemonProcess,
} from '../../../test-support/daemon-process';
import { sandboxCloud } from '../../../test-support/sandbox';

type SiteName = 'one' | 'two' | 'three';
const clouds: Record<SiteName, number> = { one: 1, two: 2, three: 3 };

const run = `lim-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let fixture: SitesFixture<SiteName>;
let bundleDir: string | undefined;
let script: string;
let redis: Redis | undefined;
/** Every daemon still running, stopped at the latest in afterAll. */
const daemons: DaemonProcess[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  fixture = await withSites(clouds);
  redis = new Redis(fixture.env.env().GLINT_REDIS_URL!);
  bundleDir = await mkdtemp(join(tmpdir(), 'glint-limits-'));
  script = await bundleDaemon(bundleDir);
});

afterAll(async () => {
  await Promise.all(daemons.splice(0).map((daemon) => stopDaemonProcess(daemon, 15_000)));
  // Everything this file made on any cloud, sources and copies, found by name as a user would.
  for (const index of Object.values(clouds)) {
    const adapter = images.adapter(sandboxCloud(index));
    for (const image of await imagesOn(index, run).catch(() => []))
      await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  redis?.disconnect();
  await fixture?.env.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

/** Starts one daemon per name on the test environment, with `settings` on top. */
async function startDaemons(
  names: string[],
  settings: Record<string, string>,
): Promise<DaemonProcess[]> {
  const started: DaemonProcess[] = [];
  for (const name of names) {
    const daemon = await startDaemonProcess(
      script,
      fixture.env.env({
        GLINT_DAEMON_NAME: name,
        // Only the pass a daemon makes at start for sites never listed, and the test's refreshes.
        GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
        GLINT_DAEMON_LOCK_SECONDS: '10',
        GLINT_DAEMON_GRACE_SECONDS: '5',
        ...settings,
      }),
    );
    daemons.push(daemon);
    started.push(daemon);
  }
  return started;
}

async function stopDaemons(stopping: DaemonProcess[]): Promise<void> {
  await Promise.all(stopping.map((daemon) => stopDaemonProcess(daemon, 15_000)));
  for (const daemon of stopping) daemons.splice(daemons.indexOf(daemon), 1);
}

/** The images whose name starts with `prefix` on a sandbox cloud, straight from its Glance. */
async function imagesOn(cloud: number, prefix: string): Promise<ImageInfo[]> {
  const found: ImageInfo[] = [];
  for await (const image of images.adapter(sandboxCloud(cloud)).listImages({ includeHidden: true }))
    if (image.name.startsWith(prefix)) found.push(image);
  return found;
}

/** Runs `make` on every item, `width` at a time. */
async function inParallel<T, R>(
  items: T[],
  width: number,
  make: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await make(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

interface Seeded {
  name: string;
  from: SiteName;
  to: SiteName;
  image: ImageInfo;
}

/** Puts one image per entry straight on its source cloud, as a user would outside Glint. */
function seed(
  plan: { name: string; from: SiteName; to: SiteName }[],
  size: number,
): Promise<Seeded[]> {
  return inParallel(plan, 4, async (entry) => ({
    ...entry,
    image: await images.seed(sandboxCloud(clouds[entry.from]), entry.name, entry.name, {}, size),
  }));
}

/** The logical images (matrix rows) whose name contains `part`, by name. */
async function imageIds(part: string): Promise<Map<string, string>> {
  const { server, user } = fixture;
  const response = await server.inject({
    method: 'GET',
    url: `/api/v1/matrix?name=${encodeURIComponent(part)}&limit=500`,
    headers: { cookie: user.cookie },
  });
  expect(response.statusCode).toBe(200);
  return new Map(response.json<Matrix>().rows.map((row) => [row.name, row.id]));
}

/** Wants each seeded image on its `to` site; returns the queue job ids, one copy job each. */
async function wantCopies(seeded: Seeded[], prefix: string): Promise<string[]> {
  const { server, user, site } = fixture;
  await refreshAll(server, user);
  const ids = await imageIds(prefix);
  expect([...ids.keys()].sort()).toEqual(seeded.map((s) => s.name).sort());
  const plan = await applyPlacements(
    server,
    user,
    seeded.map((s) => ({ image: ids.get(s.name)!, site: site[s.to], wanted: true })),
  );
  expect(plan.refusals).toEqual([]);
  // One job per image, each from the site the image was seeded on to the one it is wanted on.
  expect(
    plan.copies
      .map((c) => ({ imageId: c.imageId, from: c.source.siteId, to: c.destinations }))
      .sort((a, b) => a.imageId.localeCompare(b.imageId)),
  ).toEqual(
    seeded
      .map((s) => ({ imageId: ids.get(s.name)!, from: site[s.from], to: [site[s.to]] }))
      .sort((a, b) => a.imageId.localeCompare(b.imageId)),
  );
  expect(plan.jobs).toHaveLength(seeded.length);
  expect(plan.jobs.every((job) => job.operation === 'copy')).toBe(true);
  return plan.jobs.map((job) => job.id);
}

interface JobRow {
  queue_job_id: string;
  image_name: string;
  source_site_id: string;
  destination_site_id: string;
  state: string;
  attempts: number;
  error: string | null;
  payload: CopyJob;
}

/** The jobs' rows once none is queued or running; fails, naming the open ones, after `ms`. */
async function settledRows(queueJobIds: string[], ms: number): Promise<JobRow[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const rows = await fixture.env.query<JobRow>(
      `SELECT j.queue_job_id, i.name AS image_name, j.source_site_id, j.destination_site_id,
              j.state, j.attempts, j.error, j.payload
       FROM jobs j JOIN images i ON i.id = j.image_id
       WHERE j.queue_job_id = ANY ($1::text[])`,
      [queueJobIds],
    );
    const open = rows.filter((row) => row.state === 'queued' || row.state === 'running');
    if (rows.length > 0 && open.length === 0) return rows;
    if (Date.now() > deadline)
      throw new Error(
        `${open.length} of ${rows.length} job rows still open after ${ms / 1000} s: ` +
          JSON.stringify(open.map((row) => [row.image_name, row.state, row.attempts])),
      );
    await sleep(250);
  }
}

/** Statuses of an image whose data is still being written. */
const WRITING = new Set<ImageStatus>(['queued', 'saving', 'uploading', 'importing']);

interface Sample {
  at: number;
  writing: number;
  active: number;
}

/**
 * Polls a cloud's Glance every `everyMs` for the images named `prefix…` and counts those still
 * being written: the copies in flight to that site, seen from outside Glint.
 */
function sampleWrites(cloud: number, prefix: string, everyMs: number) {
  const samples: Sample[] = [];
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      const found = await imagesOn(cloud, prefix);
      samples.push({
        at,
        writing: found.filter((image) => WRITING.has(image.status)).length,
        active: found.filter((image) => image.status === 'active').length,
      });
      await sleep(Math.max(0, everyMs - (Date.now() - at)));
    }
  })().catch((error: unknown) => {
    failure = error;
  });
  return {
    async stop(): Promise<Sample[]> {
      stopped = true;
      await loop;
      if (failure) throw failure;
      return samples;
    },
  };
}

/** Copies of `seeded` on each destination: exactly one per job, active, with the source's bytes. */
async function expectOneCopyEach(seeded: Seeded[], rows: JobRow[], prefix: string) {
  const { site } = fixture;
  const onCloud = new Map<number, ImageInfo[]>();
  for (const index of Object.values(clouds)) onCloud.set(index, await imagesOn(index, prefix));
  for (const s of seeded) {
    const row = rows.find((r) => r.image_name === s.name)!;
    const wanted = row.payload.destinations.find((d) => d.siteId === site[s.to])!;
    const copies = onCloud.get(clouds[s.to])!.filter((image) => image.name === s.name);
    expect({ name: s.name, copies: copies.map((c) => [c.id, c.status, c.hashValue]) }).toEqual({
      name: s.name,
      // The job's own id for the copy: the first start of the job made it.
      copies: [[wanted.cloudImageId, 'active', s.image.hashValue]],
    });
  }
  // Nothing else anywhere: the sources where they were seeded, and one copy per job.
  for (const [index, found] of onCloud) {
    const expected = seeded.filter((s) => clouds[s.from] === index || clouds[s.to] === index);
    expect({ cloud: index, images: found.length }).toEqual({
      cloud: index,
      images: expected.length,
    });
  }
}

test('per-site concurrency is never exceeded: sampled at the destination Glance while 20 jobs target one site', async () => {
  const limit = 2;
  const prefix = `${run}-big-`;
  // Sources on clouds 1 and 3, every copy to cloud 2: only the destination's limit can bind.
  const seeded = await seed(
    Array.from({ length: 20 }, (_, i) => ({
      name: `${prefix}${String(i).padStart(2, '0')}`,
      from: i % 2 === 0 ? ('one' as const) : ('three' as const),
      to: 'two' as const,
    })),
    32 * 1024 * 1024,
  );
  // 16 transfers at once across the two daemons: far more than the site allows.
  const pair = await startDaemons([`${run}-limit-a`, `${run}-limit-b`], {
    GLINT_DAEMON_CONCURRENCY: '8',
    GLINT_SITE_TRANSFER_LIMIT: String(limit),
  });

  const sampler = sampleWrites(clouds.two, prefix, 150);
  let rows: JobRow[];
  let samples: Sample[];
  try {
    const queueJobIds = await wantCopies(seeded, prefix);
    rows = await settledRows(queueJobIds, 120_000);
  } finally {
    samples = await sampler.stop();
  }
  await stopDaemons(pair);

  // Waiting for a slot is no attempt: every job started once, and succeeded.
  expect(byName(rows).map((row) => [row.image_name, row.state, row.attempts, row.error])).toEqual(
    seeded.map((s) => [s.name, 'succeeded', 1, null]),
  );
  // Never more copies being written to the site at once than its limit…
  expect(samples.filter((sample) => sample.writing > limit)).toEqual([]);
  // …and the limit was reached, so a limiter letting one more through would have shown.
  expect(Math.max(...samples.map((sample) => sample.writing))).toBe(limit);
  // Enough looks at the site for that to mean something: several per copy.
  expect(samples.filter((sample) => sample.writing > 0).length).toBeGreaterThanOrEqual(20);
  await expectOneCopyEach(seeded, rows, prefix);
  expectNoFailures(pair);
});

test('two daemon processes split the work of 40 small-image jobs with no job run twice', async () => {
  const { server } = fixture;
  const prefix = `${run}-small-`;
  const sites: SiteName[] = ['one', 'two', 'three'];
  // Every site is the source of some jobs and the destination of others.
  const seeded = await seed(
    Array.from({ length: 40 }, (_, i) => ({
      name: `${prefix}${String(i).padStart(2, '0')}`,
      from: sites[i % 3]!,
      to: sites[(i + 1) % 3]!,
    })),
    64 * 1024,
  );
  const names = [`${run}-split-a`, `${run}-split-b`];
  const pair = await startDaemons(names, {
    GLINT_DAEMON_CONCURRENCY: '4',
    GLINT_SITE_TRANSFER_LIMIT: '3',
  });
  const queue = server.queues.queue('copy');
  const eventsKey = queue.keys.events!;
  const [last] = await redis!.xrevrange(eventsKey, '+', '-', 'COUNT', 1);
  const queueJobIds = await wantCopies(seeded, prefix);
  const rows = await settledRows(queueJobIds, 100_000);
  await stopDaemons(pair);

  // Each row of the jobs table counts the real starts of its job; slot waits are not among them.
  expect(byName(rows).map((row) => [row.image_name, row.state, row.attempts, row.error])).toEqual(
    seeded.map((s) => [s.name, 'succeeded', 1, null]),
  );

  // The queue's own record: every job completed on its first run, by one of the two daemons.
  const events = await queueEvents(eventsKey, last ? `(${last[0]}` : '-');
  const ranBy = new Map<string, number>(names.map((name) => [name, 0]));
  for (const id of queueJobIds) {
    const job = (await queue.getJob(id))!;
    const of = events.filter((event) => event.jobId === id);
    const count = (name: string) => of.filter((event) => event.event === name).length;
    expect({
      id,
      state: await job.getState(),
      attemptsMade: job.attemptsMade,
      stalledCounter: job.stalledCounter,
      failedReason: job.failedReason,
      processedBy: job.processedBy,
      completed: count('completed'),
      failures: count('failed') + count('stalled') + count('retries-exhausted'),
    }).toEqual({
      id,
      state: 'completed',
      attemptsMade: 1,
      stalledCounter: 0,
      failedReason: undefined,
      processedBy: expect.stringMatching(new RegExp(`^${run}-split-[ab]$`)),
      completed: 1,
      failures: 0,
    });
    // Taken up once more than it was put back to wait for a slot: it ran once.
    expect({ id, started: job.attemptsStarted, active: count('active') }).toEqual({
      id,
      started: count('delayed') + 1,
      active: count('delayed') + 1,
    });
    ranBy.set(job.processedBy!, ranBy.get(job.processedBy!)! + 1);
  }
  const split = [...ranBy.values()];
  expect(split.reduce((a, b) => a + b, 0)).toBe(40);
  expect(Math.min(...split)).toBeGreaterThan(0);
  await expectOneCopyEach(seeded, rows, prefix);
  expectNoFailures(pair);
});

/** The daemons logged no failed job and no failing worker or connection. */
function expectNoFailures(pair: DaemonProcess[]) {
  expect(pair.flatMap((daemon) => daemon.log.filter((line) => /fail|lost/i.test(line)))).toEqual(
    [],
  );
}

const byName = (rows: JobRow[]) =>
  [...rows].sort((a, b) => a.image_name.localeCompare(b.image_name));

/** The queue's event stream from `start` on, each entry's fields as an object. */
async function queueEvents(key: string, start: string): Promise<Record<string, string>[]> {
  const entries = await redis!.xrange(key, start, '+');
  return entries.map(([, fields]) => {
    const event: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
    return event;
  });
}
