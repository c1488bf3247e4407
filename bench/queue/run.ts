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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { runMigrations } from '@glint/store';
import { loadConfig } from '../../packages/api/src/config';
import { buildServer } from '../../packages/api/src/server';
import { loginAsDemo, type ApiSession } from '../../test-support/api-session';
import {
  bundleDaemon,
  startDaemonProcess,
  stopDaemonProcess,
  type DaemonProcess,
} from '../../test-support/daemon-process';
import { outboundAllow, sandboxProjectAdminRoles } from '../../test-support/sandbox';
import { agent, baseline, type Timed } from './baseline';
import { addSites, matrixSources, waitForJobs, type JobRow } from './glint-path';
import { adapterOf, adapters, removeImages, seed, type Source } from './images';
import { report, type GlintRun } from './report';
import {
  clouds,
  concurrency,
  daemonCount,
  imageCount,
  inParallel,
  MiB,
  next,
  parallelism,
  postgres,
  prefix,
  progress,
  redisUrl,
  s,
  siteLimit,
  size,
  sleep,
  timeoutMs,
} from './settings';

/** What the run makes for Glint's side, all of it its own and taken down at the end. */
interface Bench {
  databaseName: string;
  databaseUrl: string;
  redisPrefix: string;
  credentialKeys: string;
  admin: Client;
  db: Client;
  redis: Redis;
  server: FastifyInstance;
  work: string;
  daemons: DaemonProcess[];
}

/** A fresh database, a Redis key prefix and the API in-process on them. */
async function openBench(): Promise<Bench> {
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
      GLINT_PROJECT_ADMIN_ROLES: sandboxProjectAdminRoles,
    }),
  );
  const work = await mkdtemp(join(tmpdir(), 'glint-bench-queue-'));
  const bench = {
    databaseName,
    databaseUrl,
    redisPrefix,
    credentialKeys,
    admin,
    db,
    redis,
    server,
  };
  return { ...bench, work, daemons: [] };
}

/** The API ready with the sandbox's clouds as sites, the images seeded, the daemons running. */
async function prepare(bench: Bench): Promise<{
  session: ApiSession;
  siteIds: Map<number, string>;
  sources: Source[];
}> {
  const { databaseUrl, redisPrefix, credentialKeys, db, server } = bench;
  await runMigrations(databaseUrl);
  await db.connect();
  await server.ready();
  const session = await loginAsDemo(server);
  const siteIds = await addSites(server, session);

  console.error(`run ${prefix}: bundling glint-daemon…`);
  const script = await bundleDaemon(bench.work);
  console.error(
    `seeding ${imageCount} random ${size / MiB} MiB images on ${clouds.length} clouds…`,
  );
  const started = performance.now();
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
  for (let i = 0; i < daemonCount; i++)
    bench.daemons.push(await startDaemonProcess(script, daemonEnv));
  return { session, siteIds, sources };
}

/** Refreshes the sites' inventories and waits until every source is a row of the matrix. */
async function inventoried(server: FastifyInstance, session: ApiSession) {
  console.error('inventory: refreshing the three sites…');
  const started = performance.now();
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
  return rows;
}

/** The baseline's copies, timed, then removed so Glint's copies start from the same clouds. */
async function pipeAll(sources: Source[]): Promise<Timed> {
  console.error(
    `baseline: ${imageCount} copies of ${size / MiB} MiB as plain GET | PUT pipes, ` +
      `${parallelism} at once, ${siteLimit} per site…`,
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
  return pipe;
}

/** One PUT /api/v1/placements asking for every copy, timed until every copy's row succeeded. */
async function glintAll(
  bench: Bench,
  session: ApiSession,
  rows: { image: string; site: string }[],
  siteIds: Map<number, string>,
): Promise<GlintRun> {
  const { db, server } = bench;
  const cloudOfSite = new Map([...siteIds].map(([index, site]) => [site, index]));
  // Image of cloud n wanted on cloud n+1 too.
  const changes = rows.map((row) => ({
    image: row.image,
    site: siteIds.get(next(clouds[cloudOfSite.get(row.site)! - 1]!).index)!,
    wanted: true,
  }));
  console.error(`Glint: PUT /api/v1/placements of ${changes.length} changes, then the daemons…`);
  const appliedAt = Date.now();
  const started = performance.now();
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
  await waitForJobs(db, server, bench.daemons);
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
  return { glintMs, polledMs, applyMs, jobs };
}

/** Takes down all the run made. */
async function cleanUp(bench: Bench): Promise<void> {
  const { admin, daemons, databaseName, db, redis, redisPrefix, server } = bench;
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
  await Promise.all([...adapters.values()].map((adapter) => step('close', () => adapter.close())));
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
  await rm(bench.work, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const bench = await openBench();
  try {
    const { session, siteIds, sources } = await prepare(bench);
    const rows = await inventoried(bench.server, session);
    const pipe = await pipeAll(sources);
    const glint = await glintAll(bench, session, rows, siteIds);
    await report(pipe, glint, bench.daemons);
  } catch (error) {
    for (const [i, daemon] of bench.daemons.entries()) {
      console.error(`--- glint-daemon ${i + 1}, last lines:\n${daemon.log.slice(-20).join('\n')}`);
    }
    throw error;
  } finally {
    await cleanUp(bench);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
