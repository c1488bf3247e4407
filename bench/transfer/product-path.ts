/**
 * A copy the way a user's goes: the real API (its own database, migrated, and Redis prefix),
 * listening on loopback, the demo user logged in with two sandbox clouds as sites, and
 * `glint-daemon` as a bundled process. `copy()` places an image on the destination through
 * `PUT /api/v1/placements`, times it until its job row succeeded, then removes the copy again (a
 * delete job) so the next copy starts alike. `placeWithCli()` does the same with the `glint`
 * command itself (`glint place IMAGE --on SITE --wait`, logged in as the demo user), timed until
 * it exits, with where that time went. Kept apart from run.ts's engine-only copies, so other
 * benchmarks can use it too.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { JOBS, queuePrefix } from '@glint/core';
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
import { addSandboxSites } from '../../test-support/test-environment';
import { bundleGlint, openstackEnv, runGlint } from '../../packages/cli/test/glint-process';
import { outboundAllow, sandboxCloud, sandboxProjectAdminRoles } from '../../test-support/sandbox';

const postgres = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const redisUrl = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A copy `glint place --wait` asked for, and where its time went. */
export interface CliCopy {
  /** From starting `glint place` to its exit. */
  seconds: number;
  /** From the API receiving `PUT /api/v1/placements` to the command's exit. */
  fromPut: number;
  /** That time stage by stage, in seconds, in the order the stages ran. */
  breakdown: Array<[stage: string, seconds: number]>;
}

interface CopyJobTimes {
  timestamp: number;
  processedOn?: number;
  finishedOn?: number;
  returnvalue?: { destinations?: Array<{ stages?: Record<string, number> }> };
}

/** The stages of a copy between the PUT and the command's exit, from the job and its return value. */
function breakdownOf(put: number, job: CopyJobTimes, exit: number): CliCopy['breakdown'] {
  const stages = job.returnvalue?.destinations?.[0]?.stages ?? {};
  const marks: Array<[string, number | undefined]> = [
    ['API: PUT to enqueued', job.timestamp],
    ['queue wait', job.processedOn],
    ['start: slots, login, source lookup', stages.source],
    ['destination record created', stages.created],
    ['first byte', stages.firstByte],
    ['first to last byte', stages.lastByte],
    ['activation and verification', stages.verified],
    ['inventory', stages.inventoried],
    ['job rows and events', job.finishedOn],
    ['event delivery, CLI exit', exit],
  ];
  const breakdown: CliCopy['breakdown'] = [];
  let last = put;
  for (const [stage, at] of marks) {
    if (at === undefined) continue;
    breakdown.push([stage, (at - last) / 1000]);
    last = at;
  }
  return breakdown;
}

export interface ProductPath {
  /** The API's environment, which the daemons share (plus their own settings). */
  env: Record<string, string>;
  /** The API itself and the demo user's session on it, for benchmarks that need more sites. */
  server: FastifyInstance;
  session: ApiSession;
  /** Starts a daemon with these settings on top of the shared ones. */
  startDaemon(settings: Record<string, string>): Promise<DaemonProcess>;
  stopDaemon(daemon: DaemonProcess): Promise<void>;
  /**
   * Copies the logical image onto the destination site and waits for it; returns the seconds from
   * the placement to the job row's success. The copy is deleted again before it returns.
   */
  copy(imageId: string): Promise<number>;
  /** Copies the logical image with `glint place --wait`, and says where the time went. */
  placeWithCli(imageId: string): Promise<CliCopy>;
  /** Removes the copy again (a delete job), so the next copy starts alike. */
  unplace(imageId: string): Promise<void>;
  /** The logical image of a source image named `name` on the source site, once inventoried. */
  logicalImage(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Sets up the API on sandbox clouds `source` and `destination` (indexes) as sites. */
export async function productPath(source: number, destination: number): Promise<ProductPath> {
  const id = randomBytes(6).toString('hex');
  const databaseName = `glint_bench_${id}`;
  const databaseUrl = `${postgres}/${databaseName}`;
  const admin = new Client({ connectionString: `${postgres}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await runMigrations(databaseUrl);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const redis = new Redis(redisUrl);
  const env = {
    GLINT_DATABASE_URL: databaseUrl,
    GLINT_REDIS_URL: redisUrl,
    GLINT_REDIS_PREFIX: `glint-bench:${id}:`,
    GLINT_CREDENTIAL_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    GLINT_CREDENTIAL_KEY_ID: 'bench',
    // The sandbox's clouds are on loopback, which the outbound policy refuses unless allowed.
    GLINT_OUTBOUND_ALLOW: outboundAllow(),
    GLINT_PROJECT_ADMIN_ROLES: sandboxProjectAdminRoles,
  };
  let lastPut = 0;
  const server: FastifyInstance = buildServer(
    loadConfig({
      ...env,
      GLINT_KEYSTONE_URL: sandboxCloud(1).authUrl,
      GLINT_SESSION_SECRET: randomBytes(32).toString('base64'),
      GLINT_LOG_LEVEL: 'warn',
    }),
  );
  server.addHook('onRequest', async (request) => {
    if (request.method === 'PUT' && request.url.startsWith('/api/v1/placements'))
      lastPut = Date.now();
  });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const apiUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const session: ApiSession = await loginAsDemo(server);
  const { source: sourceSite, destination: destinationSite } = await addSandboxSites(
    server,
    session,
    { source, destination },
  );
  const work = await mkdtemp(join(tmpdir(), 'glint-bench-product-'));
  const [script, glint] = await Promise.all([bundleDaemon(work), bundleGlint(work)]);
  const cliEnv = { HOME: work, GLINT_CONFIG_DIR: join(work, 'cli'), GLINT_API_URL: apiUrl };
  const login = await runGlint(glint, ['login'], { ...cliEnv, ...openstackEnv(sandboxCloud(1)) });
  if (login.code !== 0) throw new Error(`glint login: ${login.stderr}`);
  const transfers = new Queue(JOBS.copy.queue, {
    connection: { url: redisUrl },
    prefix: queuePrefix(env.GLINT_REDIS_PREFIX),
  });

  const place = async (imageId: string, wanted: boolean) => {
    const applied = await server.inject({
      method: 'PUT',
      url: '/api/v1/placements',
      headers: session.headers,
      payload: { changes: [{ image: imageId, site: destinationSite, wanted }] },
    });
    if (applied.statusCode !== 200) throw new Error(`placing: ${applied.body}`);
  };
  /** Waits until the newest `operation` row of the image ended; throws unless it succeeded. */
  const ended = async (imageId: string, operation: string) => {
    for (;;) {
      const { rows } = await db.query<{ state: string; error: string | null }>(
        `SELECT state, error FROM jobs WHERE image_id = $1 AND operation = $2
         ORDER BY created_at DESC LIMIT 1`,
        [imageId, operation],
      );
      const row = rows[0];
      if (row && !['queued', 'running'].includes(row.state)) {
        if (row.state !== 'succeeded') throw new Error(`${operation} ${row.state}: ${row.error}`);
        return;
      }
      await sleep(20);
    }
  };

  return {
    env,
    server,
    session,
    startDaemon: (settings) =>
      startDaemonProcess(script, {
        ...env,
        GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
        ...settings,
      }),
    stopDaemon: (daemon) => stopDaemonProcess(daemon),
    async copy(imageId) {
      const started = performance.now();
      await place(imageId, true);
      await ended(imageId, 'copy');
      const seconds = (performance.now() - started) / 1000;
      await place(imageId, false);
      await ended(imageId, 'delete');
      return seconds;
    },
    async placeWithCli(imageId) {
      const started = Date.now();
      const placed = await runGlint(
        glint,
        ['place', imageId, '--on', 'destination', '--wait'],
        cliEnv,
      );
      const exit = Date.now();
      if (placed.code !== 0) throw new Error(`glint place: ${placed.stderr}`);
      const { rows } = await db.query<{ queue_job_id: string }>(
        `SELECT queue_job_id FROM jobs WHERE image_id = $1 AND operation = 'copy'
         ORDER BY created_at DESC LIMIT 1`,
        [imageId],
      );
      const job = (await transfers.getJob(rows[0]!.queue_job_id)) as CopyJobTimes | undefined;
      if (!job) throw new Error('the copy job is not in the queue any more');
      return {
        seconds: (exit - started) / 1000,
        fromPut: (exit - lastPut) / 1000,
        breakdown: breakdownOf(lastPut, job, exit),
      };
    },
    async unplace(imageId) {
      await place(imageId, false);
      await ended(imageId, 'delete');
    },
    async logicalImage(name) {
      for (;;) {
        const { rows } = await db.query<{ image_id: string | null }>(
          'SELECT image_id FROM site_images WHERE site_id = $1 AND name = $2',
          [sourceSite, name],
        );
        if (rows[0]?.image_id) return rows[0].image_id;
        await sleep(100);
      }
    },
    async close() {
      await transfers.close();
      await server.close();
      await db.end();
      const keys = await redis.keys(`${env.GLINT_REDIS_PREFIX}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
      await admin.end();
      await rm(work, { recursive: true, force: true });
    },
  };
}
