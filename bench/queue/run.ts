/**
 * bench/queue: jobs per second through Glint's whole path, and the daemon's overhead per job.
 * Seeds 1,000 random 1 MiB images spread over the sandbox's three clouds (image k of cloud n is
 * wanted on cloud n+1 too), then times, against real PostgreSQL, Redis, Keystones and Glances:
 *
 * - the baseline: the same 1,000 copies as a plain pipe straight against Glance, in Node — create a
 *   destination image, then GET the source's /file streamed into PUT of the new image's /file (a
 *   `curl | curl` per image) — under the limits the daemons obey: at most daemons × concurrency
 *   copies at once, and at most GLINT_SITE_TRANSFER_LIMIT on any one site (as source or
 *   destination), each copy started the moment both its sites have room;
 * - Glint: one PUT /api/v1/placements through the real API (in-process) asking for every copy, run
 *   by real `glint-daemon` processes (bundled with esbuild first, so no TypeScript loader is timed),
 *   from the apply request until every copy job's row in `jobs` has succeeded.
 *
 * Both are allowed P = min(daemons × concurrency, ⌊3 sites × site limit / 2⌋) copies at once (each
 * copy holds a slot on two of the three sites). It prints jobs/s, Glint's time against the
 * baseline's, the overhead per job (queueing, slot waits, logins, bookkeeping, verification: all
 * but the data time) as (T_glint − T_baseline) × P / N, and the median job (started_at →
 * finished_at) against the median baseline copy. The daemons' scheduled inventory is set to an
 * hour, so that it does not land inside one run and not another.
 *
 *   npm run bench:queue     # needs PostgreSQL, Redis and the sandbox; 3 GiB through the Glances
 *   BENCH_IMAGES=30 npm run bench:queue                                        # a quick try
 *   BENCH_IMAGES=1000 BENCH_SIZE_MIB=1 BENCH_DAEMONS=1 BENCH_CONCURRENCY=4 BENCH_SITE_LIMIT=2 \
 *     BENCH_SEED_PARALLEL=8 BENCH_TIMEOUT_S=2000 npm run bench:queue          # the defaults
 *
 * Everything it makes is its own: a fresh database, a Redis key prefix, and images named
 * `glint-bq-<run>-…` on the clouds, all removed at the end (Ctrl-C included).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request, type IncomingMessage, type RequestOptions } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { createAdapter, type CloudAdapter } from '@glint/cloud-adapters';
import { runMigrations } from '@glint/store';
import { loadConfig } from '../../packages/api/src/config';
import { buildServer } from '../../packages/api/src/server';
import {
  bundleDaemon,
  startDaemonProcess,
  stopDaemonProcess,
  type DaemonProcess,
} from '../../test-support/daemon-process';
import { loginAsDemo, type ApiSession } from '../../test-support/api-session';
import { randomImageStream } from '../../test-support/random-image';
import {
  outboundAllow,
  passwordCredential,
  sandboxCloud,
  sandboxOutbound,
  sandboxToken,
  siteConfig,
  type SandboxCloud,
} from '../../test-support/sandbox';

const MiB = 1024 * 1024;
const imageCount = Number(process.env.BENCH_IMAGES ?? 1000);
const size = Math.round(Number(process.env.BENCH_SIZE_MIB ?? 1) * MiB);
const daemonCount = Number(process.env.BENCH_DAEMONS ?? 1);
/** GLINT_DAEMON_CONCURRENCY of each daemon: copies one daemon runs at once. */
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** GLINT_SITE_TRANSFER_LIMIT: transfers one site takes part in at once, across all daemons. */
const siteLimit = Number(process.env.BENCH_SITE_LIMIT ?? 2);
const seedParallelism = Number(process.env.BENCH_SEED_PARALLEL ?? 8);
const timeoutMs = Number(process.env.BENCH_TIMEOUT_S ?? Math.max(600, imageCount * 2)) * 1000;
const postgres = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const redisUrl = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';

const clouds = [sandboxCloud(1), sandboxCloud(2), sandboxCloud(3)];
const next = (cloud: SandboxCloud) => clouds[cloud.index % clouds.length]!;
/** Copies the limits allow at once: each holds a slot on two sites. */
const parallelism = Math.min(
  daemonCount * concurrency,
  Math.floor((clouds.length * siteLimit) / 2),
);
const run = randomBytes(4).toString('hex');
const prefix = `glint-bq-${run}-`;

/** Ctrl-C stops waiting and seeding, and goes on to the clean-up. */
const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort(new Error('interrupted')));

const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() =>
    interrupted.signal.throwIfAborted(),
  );
const percentile = (values: number[], p: number) =>
  [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The reason of a failed job attempt, from a line of a daemon's JSON log. */
function failedAttempt(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
    return /job (attempt )?failed/.test(entry.msg ?? '') ? entry.err?.message : undefined;
  } catch {
    return undefined;
  }
}
const ms = (value: number) => `${value.toFixed(0)} ms`;
const s = (milliseconds: number) => `${(milliseconds / 1000).toFixed(2)} s`;
const progress = (message: string) => console.error(`  ${message}`);

/** Runs `work` on every item, `limit` at a time; the first failure stops the others taking more. */
async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let taken = 0;
  let failed = false;
  const runner = async () => {
    while (taken < items.length && !failed) {
      interrupted.signal.throwIfAborted();
      const index = taken++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
}

interface Source {
  cloud: SandboxCloud;
  id: string;
  name: string;
}

const outbound = sandboxOutbound();
const adapters = new Map(
  clouds.map((c) => [
    c.index,
    createAdapter('openstack', siteConfig(c), passwordCredential(c), { outbound }),
  ]),
);
const adapterOf = (cloud: SandboxCloud): CloudAdapter => adapters.get(cloud.index)!;

/** Image i on cloud (i mod 3) + 1, each of its own random content, uploaded straight to Glance. */
async function seed(): Promise<Source[]> {
  const sources: Source[] = Array.from({ length: imageCount }, (_, i) => ({
    cloud: clouds[i % clouds.length]!,
    id: '',
    name: `${prefix}src-${String(i).padStart(5, '0')}`,
  }));
  let done = 0;
  await inParallel(sources, seedParallelism, async (source) => {
    const adapter = adapterOf(source.cloud);
    const image = await adapter.createImage({
      name: source.name,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    });
    source.id = image.id;
    await adapter.uploadImageData(image.id, randomImageStream(size, source.name), { size });
    if (++done % 100 === 0) progress(`${done}/${imageCount} seeded`);
  });
  return sources;
}

/** Deletes every image of this run (sources, Glint's copies, the baseline's copies) on every cloud. */
async function removeImages(): Promise<number> {
  let removed = 0;
  for (const cloud of clouds) {
    const adapter = adapterOf(cloud);
    const ours: string[] = [];
    for await (const image of adapter.listImages()) {
      if (image.name.startsWith(prefix)) ours.push(image.id);
    }
    let taken = 0;
    const runner = async () => {
      while (taken < ours.length) {
        const id = ours[taken++]!;
        await adapter.deleteImage(id).then(
          () => removed++,
          (error: unknown) => console.error(`could not delete ${cloud.name} image ${id}:`, error),
        );
      }
    };
    await Promise.all(Array.from({ length: 8 }, runner));
  }
  return removed;
}

// --- the baseline: a plain streaming pipe per image, straight against Glance ----------------------

/** A project-scoped token per cloud, renewed at half its lifetime (cloud3's may last only 20 s). */
const tokens = new Map<number, { token: Promise<string>; at: number }>();
function tokenFor(cloud: SandboxCloud): Promise<string> {
  const cached = tokens.get(cloud.index);
  if (cached && performance.now() - cached.at < (cloud.tokenExpiration * 1000) / 2)
    return cached.token;
  const token = sandboxToken(cloud);
  tokens.set(cloud.index, { token, at: performance.now() });
  token.catch(() => tokens.delete(cloud.index));
  return token;
}

const agent = new Agent({ keepAlive: true, maxSockets: parallelism * 2 });

/** One HTTP request; resolves with the response once its head arrives. */
function send(
  url: string,
  options: RequestOptions,
  body?: string | Readable,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent, ...options }, resolve);
    outgoing.on('error', reject);
    if (body === undefined || typeof body === 'string') outgoing.end(body);
    else pipeline(body, outgoing).catch(reject);
  });
}

async function text(response: IncomingMessage): Promise<string> {
  let content = '';
  for await (const chunk of response) content += String(chunk);
  return content;
}

async function expectStatus(response: IncomingMessage, status: number, what: string) {
  if (response.statusCode === status) return text(response);
  throw new Error(`${what}: ${response.statusCode} ${(await text(response)).slice(0, 300)}`);
}

/** Creates the destination image, then streams GET …/file of the source into PUT …/file of it. */
async function pipeCopy(source: Source, index: number): Promise<void> {
  const destination = next(source.cloud);
  const [sourceToken, destinationToken] = await Promise.all([
    tokenFor(source.cloud),
    tokenFor(destination),
  ]);
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const created = await send(
    `${destination.glanceUrl}/v2/images`,
    { method: 'POST', headers: { 'x-auth-token': destinationToken, ...json } },
    JSON.stringify({
      name: `${prefix}pipe-${String(index).padStart(5, '0')}`,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
    }),
  );
  const { id } = JSON.parse(await expectStatus(created, 201, 'create')) as { id: string };
  const download = await send(`${source.cloud.glanceUrl}/v2/images/${source.id}/file`, {
    method: 'GET',
    headers: { 'x-auth-token': sourceToken },
  });
  if (download.statusCode !== 200) await expectStatus(download, 200, 'GET file');
  const upload = await send(
    `${destination.glanceUrl}/v2/images/${id}/file`,
    {
      method: 'PUT',
      headers: {
        'x-auth-token': destinationToken,
        'content-type': 'application/octet-stream',
        ...(download.headers['content-length'] && {
          'content-length': download.headers['content-length'],
        }),
      },
    },
    download,
  );
  // Glance answers the PUT once the image is stored and active.
  await expectStatus(upload, 204, 'PUT file');
}

interface Timed {
  wallMs: number;
  /** Each copy's own time, in ms. */
  copyMs: number[];
}

/**
 * Every pipe copy, under the daemons' limits: at most `parallelism` at once, at most `siteLimit`
 * on each site; a copy starts as soon as both its sites have room (first come, first served).
 */
async function baseline(sources: Source[]): Promise<Timed> {
  const copyMs: number[] = [];
  const pending = sources.map((source, index) => ({ source, index }));
  const busy = new Map(clouds.map((c) => [c.index, 0]));
  let running = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      failed = true;
      reject(error);
    };
    const pump = () => {
      if (failed) return;
      if (interrupted.signal.aborted) return fail(interrupted.signal.reason);
      if (pending.length === 0 && running === 0) return resolve();
      for (let i = 0; i < pending.length && running < parallelism;) {
        const { source, index } = pending[i]!;
        const sites = [source.cloud.index, next(source.cloud).index];
        if (sites.some((site) => busy.get(site)! >= siteLimit)) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        running++;
        for (const site of sites) busy.set(site, busy.get(site)! + 1);
        const begun = performance.now();
        pipeCopy(source, index).then(() => {
          copyMs.push(performance.now() - begun);
          running--;
          for (const site of sites) busy.set(site, busy.get(site)! - 1);
          pump();
        }, fail);
      }
    };
    pump();
  });
  return { wallMs: performance.now() - started, copyMs };
}

// --- Glint: the API in-process, the daemons as processes -----------------------------------------

/** Registers each sandbox cloud as a site named after it; returns the site ids by cloud index. */
async function addSites(
  server: FastifyInstance,
  session: ApiSession,
): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (const cloud of clouds) {
    const { type, ...config } = siteConfig(cloud);
    const created = await server.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: session.headers,
      payload: { type, name: cloud.name, config, credential: passwordCredential(cloud) },
    });
    if (created.statusCode !== 201) throw new Error(`adding ${cloud.name}: ${created.body}`);
    ids.set(cloud.index, created.json<{ id: string }>().id);
  }
  return ids;
}

interface MatrixPage {
  rows: { id: string; name: string; cells: { siteId: string; cloudImageId: string | null }[] }[];
  page: { total: number };
}

/**
 * The run's sources as matrix rows: the logical image and the site holding it. Rows are keyed by
 * image, since pages read while an inventory lands may overlap.
 */
async function matrixSources(
  server: FastifyInstance,
  session: ApiSession,
): Promise<{ image: string; site: string }[]> {
  const found = new Map<string, { image: string; site: string }>();
  for (let offset = 0; ; offset += 500) {
    const response = await server.inject({
      method: 'GET',
      url: `/api/v1/matrix?name=${encodeURIComponent(`${prefix}src-`)}&limit=500&offset=${offset}`,
      headers: { cookie: session.cookie },
    });
    if (response.statusCode !== 200) throw new Error(`matrix: ${response.body}`);
    const { rows } = response.json<MatrixPage>();
    for (const row of rows) {
      const held = row.cells.filter((c) => c.cloudImageId !== null);
      if (held.length === 1) found.set(row.id, { image: row.id, site: held[0]!.siteId });
    }
    if (rows.length < 500) return [...found.values()];
  }
}

interface JobRow {
  state: string;
  attempts: number;
  error: string | null;
  run_ms: number | null;
  wait_ms: number | null;
  finished_ms: number | null;
}

/** Polls the jobs table until every copy row succeeded; throws when one failed for good. */
async function waitForJobs(db: Client, server: FastifyInstance, daemons: DaemonProcess[]) {
  const deadline = performance.now() + timeoutMs;
  let reported = performance.now();
  for (;;) {
    const { rows } = await db.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM jobs WHERE operation = 'copy' GROUP BY state`,
    );
    const count = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    const succeeded = count.succeeded ?? 0;
    if (succeeded === imageCount) return;
    if (performance.now() - reported > 5000) {
      reported = performance.now();
      progress(`${succeeded}/${imageCount} succeeded (${JSON.stringify(count)})`);
    }
    const gone = daemons.find((d) => d.child.exitCode !== null || d.child.signalCode !== null);
    if (gone) throw new Error(`a glint-daemon exited mid-run:\n${gone.log.slice(-40).join('\n')}`);
    if ((count.failed ?? 0) + (count.cancelled ?? 0) > 0) {
      // A row marked failed may be waiting for its retry; only an empty queue makes it final.
      const queued = await server.queues
        .queue('copy')
        .getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(queued).every((n) => n === 0) && !count.queued && !count.running) {
        const { rows: errors } = await db.query<{ error: string }>(
          `SELECT DISTINCT error FROM jobs WHERE state = 'failed' LIMIT 5`,
        );
        throw new Error(
          `copy jobs failed for good (${JSON.stringify(count)}): ` +
            errors.map((e) => e.error).join(' | '),
        );
      }
    }
    if (performance.now() > deadline) {
      throw new Error(
        `not every copy succeeded within ${timeoutMs / 1000} s: ${JSON.stringify(count)}`,
      );
    }
    await sleep(50);
  }
}

async function main(): Promise<void> {
  const id = randomBytes(6).toString('hex');
  const databaseName = `glint_bench_${id}`;
  const databaseUrl = `${postgres}/${databaseName}`;
  const redisPrefix = `glint-bench:${id}:`;
  const credentialKeys = `bench:${randomBytes(32).toString('base64')}`;
  const admin = new Client({ connectionString: `${postgres}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  const db = new Client({ connectionString: databaseUrl });
  const redis = new Redis(redisUrl);
  const server = buildServer(
    loadConfig({
      GLINT_DATABASE_URL: databaseUrl,
      GLINT_REDIS_URL: redisUrl,
      GLINT_REDIS_PREFIX: redisPrefix,
      GLINT_KEYSTONE_URL: clouds[0]!.authUrl,
      GLINT_SESSION_SECRET: randomBytes(32).toString('base64'),
      GLINT_CREDENTIAL_KEYS: credentialKeys,
      GLINT_CREDENTIAL_KEY_ID: 'bench',
      GLINT_LOG_LEVEL: 'warn',
      GLINT_OUTBOUND_ALLOW: outboundAllow(),
    }),
  );
  const work = await mkdtemp(join(tmpdir(), 'glint-bench-queue-'));
  const daemons: DaemonProcess[] = [];
  const copies = `${imageCount} copies of ${size / MiB} MiB`;
  try {
    await runMigrations(databaseUrl);
    await db.connect();
    await server.ready();
    const session = await loginAsDemo(server);
    const siteIds = await addSites(server, session);
    const cloudOfSite = new Map([...siteIds].map(([index, site]) => [site, index]));

    console.error(`run ${prefix}: bundling glint-daemon…`);
    const script = await bundleDaemon(work);
    console.error(
      `seeding ${imageCount} random ${size / MiB} MiB images on ${clouds.length} clouds…`,
    );
    let started = performance.now();
    const sources = await seed();
    progress(`seeded in ${s(performance.now() - started)}`);

    console.error(
      `starting ${daemonCount} glint-daemon(s), ${concurrency} transfers at once each, ` +
        `${siteLimit} per site…`,
    );
    const daemonEnv = {
      GLINT_DATABASE_URL: databaseUrl,
      GLINT_REDIS_URL: redisUrl,
      GLINT_REDIS_PREFIX: redisPrefix,
      GLINT_CREDENTIAL_KEYS: credentialKeys,
      GLINT_CREDENTIAL_KEY_ID: 'bench',
      GLINT_DAEMON_CONCURRENCY: String(concurrency),
      GLINT_SITE_TRANSFER_LIMIT: String(siteLimit),
      GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
      GLINT_OUTBOUND_ALLOW: outboundAllow(),
    };
    for (let i = 0; i < daemonCount; i++) daemons.push(await startDaemonProcess(script, daemonEnv));

    console.error('inventory: refreshing the three sites…');
    started = performance.now();
    const refresh = await server.inject({
      method: 'POST',
      url: '/api/v1/sites/refresh',
      headers: session.headers,
    });
    if (refresh.statusCode !== 202) throw new Error(`refresh: ${refresh.body}`);
    let rows = await matrixSources(server, session);
    while (rows.length < imageCount) {
      if (performance.now() - started > timeoutMs)
        throw new Error(`only ${rows.length} of ${imageCount} images reached the matrix`);
      await sleep(200);
      rows = await matrixSources(server, session);
    }
    progress(`${rows.length} matrix rows in ${s(performance.now() - started)}`);

    console.error(
      `baseline: ${copies} as plain GET | PUT pipes, ${parallelism} at once, ` +
        `${siteLimit} per site…`,
    );
    const pipe = await baseline(sources);
    progress(`${s(pipe.wallMs)}; removing the baseline's copies`);
    for (const cloud of clouds) {
      const adapter = adapterOf(cloud);
      const made: string[] = [];
      for await (const image of adapter.listImages())
        if (image.name.startsWith(`${prefix}pipe-`)) made.push(image.id);
      await inParallel(made, 8, (imageId) => adapter.deleteImage(imageId));
    }

    // Image of cloud n wanted on cloud n+1 too.
    const changes = rows.map((row) => ({
      image: row.image,
      site: siteIds.get(next(clouds[cloudOfSite.get(row.site)! - 1]!).index)!,
      wanted: true,
    }));
    console.error(`Glint: PUT /api/v1/placements of ${changes.length} changes, then the daemons…`);
    const appliedAt = Date.now();
    started = performance.now();
    const apply = await server.inject({
      method: 'PUT',
      url: '/api/v1/placements',
      headers: session.headers,
      payload: { changes },
    });
    const applyMs = performance.now() - started;
    if (apply.statusCode !== 200) throw new Error(`apply: ${apply.body}`);
    const applied = apply.json<{ jobs: unknown[]; refusals: unknown[]; unchanged: number }>();
    if (applied.jobs.length !== imageCount)
      throw new Error(
        `apply of ${changes.length} changes enqueued ${applied.jobs.length} jobs ` +
          `(${applied.unchanged} unchanged, ${applied.refusals.length} refused)`,
      );
    await waitForJobs(db, server, daemons);
    const polledMs = performance.now() - started;
    const { rows: jobs } = await db.query<JobRow>(
      `SELECT state, attempts, error,
              extract(epoch FROM finished_at - started_at) * 1000 AS run_ms,
              extract(epoch FROM started_at - created_at) * 1000 AS wait_ms,
              extract(epoch FROM finished_at) * 1000 AS finished_ms
       FROM jobs WHERE operation = 'copy'`,
    );
    // The end is the last row's finished_at (the poll only notices it); both clocks are this host's.
    const glintMs = Math.min(
      polledMs,
      Math.max(...jobs.map((j) => Number(j.finished_ms))) - appliedAt,
    );
    const jobMs = jobs.map((j) => Number(j.run_ms));
    const waitMs = jobs.map((j) => Number(j.wait_ms));
    const retried = jobs.filter((j) => j.attempts > 1).length;

    const ratio = glintMs / pipe.wallMs;
    const overheadMs = ((glintMs - pipe.wallMs) * parallelism) / imageCount;
    // The overhead splits exactly into time inside the jobs and slot time left unused between them.
    const inJobMs = (sum(jobMs) - sum(pipe.copyMs)) / imageCount;
    const idleMs = overheadMs - inJobMs;
    const medianJob = percentile(jobMs, 0.5);
    const medianCopy = percentile(pipe.copyMs, 0.5);
    const figures = [
      `\nbench/queue — ${copies} (cloud n → cloud n+1 of 3 sandbox sites), ` +
        `${daemonCount} daemon(s) × ${concurrency} transfers, ${siteLimit} per site: ` +
        `P = ${parallelism} at once\n`,
      `baseline, plain pipe (create, GET /file | PUT /file), ${parallelism} at once: ` +
        `${s(pipe.wallMs)}, ${((imageCount / pipe.wallMs) * 1000).toFixed(1)} copies/s; ` +
        `copy median ${ms(medianCopy)}, p95 ${ms(percentile(pipe.copyMs, 0.95))}; ` +
        `mean copies at once ${(sum(pipe.copyMs) / pipe.wallMs).toFixed(2)}`,
      `Glint, PUT /api/v1/placements → every job row succeeded: ${s(glintMs)}, ` +
        `${((imageCount / glintMs) * 1000).toFixed(1)} jobs/s (the apply request ${ms(applyMs)}); ` +
        `job median ${ms(medianJob)}, p95 ${ms(percentile(jobMs, 0.95))}; ` +
        `mean jobs at once ${(sum(jobMs) / glintMs).toFixed(2)}; ` +
        `queue wait median ${ms(percentile(waitMs, 0.5))}; retried ${retried}`,
      `Glint time / baseline time: ${ratio.toFixed(2)}× ` +
        `(throughput ${(1 / ratio).toFixed(2)}× the baseline's)`,
      `daemon overhead per job, (T_glint − T_baseline) × ${parallelism} / ${imageCount}: ` +
        `${ms(overheadMs)}`,
      `  = ${ms(inJobMs)} inside the job (mean job − mean baseline copy)`,
      `  + ${ms(idleMs)} scheduling (slot time unused per job, Glint's less the baseline's)`,
      `median job − median baseline copy: ${ms(medianJob - medianCopy)} ` +
        `(${(medianJob / medianCopy).toFixed(2)}× the baseline copy)`,
    ];
    for (const line of figures) console.log(line);
    // Attempts that failed and were retried leave no trace on the rows; the daemons log them.
    const failedAttempts = new Map<string, number>();
    for (const line of daemons.flatMap((d) => d.log)) {
      const failure = failedAttempt(line);
      if (failure === undefined) continue;
      const message = failure.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>');
      failedAttempts.set(message, (failedAttempts.get(message) ?? 0) + 1);
    }
    for (const [message, count] of failedAttempts)
      console.log(`failed attempts (daemon log): ${count}× ${message}`);
    const resultsDir = join(__dirname, 'results');
    await mkdir(resultsDir, { recursive: true });
    await writeFile(
      join(resultsDir, `${new Date().toISOString()}.json`),
      JSON.stringify(
        {
          imageCount,
          size,
          daemonCount,
          concurrency,
          baseline: { wallMs: pipe.wallMs, copyMs: pipe.copyMs },
          glint: { wallMs: glintMs, polledMs, applyMs, jobMs, waitMs, retried },
          siteLimit,
          parallelism,
          ratio,
          overheadMs,
          inJobMs,
          idleMs,
        },
        null,
        2,
      ),
    );
  } catch (error) {
    for (const [i, daemon] of daemons.entries()) {
      console.error(`--- glint-daemon ${i + 1}, last lines:\n${daemon.log.slice(-20).join('\n')}`);
    }
    throw error;
  } finally {
    console.error('cleaning up…');
    // Each step whatever became of the others, so one failure leaves no more behind than it must.
    const step = (what: string, action: () => Promise<unknown>) =>
      action().catch((error: unknown) => console.error(`clean-up: ${what} failed:`, error));
    await step('stopping the daemons', () =>
      Promise.all(daemons.map((daemon) => stopDaemonProcess(daemon))),
    );
    await step('closing the API', () => server.close());
    await step('closing the database connection', () => db.end());
    await step(`deleting the images named ${prefix}*`, async () =>
      console.error(`  ${await removeImages()} images of ${prefix}* deleted`),
    );
    await Promise.all(
      [...adapters.values()].map((adapter) => step('close', () => adapter.close())),
    );
    agent.destroy();
    await step('deleting the Redis keys', async () => {
      const keys = await redis.keys(`${redisPrefix}*`);
      for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    });
    redis.disconnect();
    await step(`dropping ${databaseName}`, () =>
      admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`),
    );
    await step('closing the admin connection', () => admin.end());
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
