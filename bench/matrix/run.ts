/**
 * bench/matrix: the control plane at the size the issue names. Seeds 2,000 logical images × 50
 * sites (100,000 cells) for the sandbox's demo user into a database of its own, then times, through
 * the real API (in-process requests, real PostgreSQL and Redis):
 *
 * - GET /api/v1/matrix, a page of 50 rows by default (median and p95; target: median ≤ 250 ms);
 * - POST /api/v1/plan and PUT /api/v1/placements of 10,000 cell changes (target: apply ≤ 3 s).
 *
 *   npm run bench:matrix      # needs PostgreSQL, Redis and the sandbox (for the login)
 *   BENCH_IMAGES=2000 BENCH_SITES=50 BENCH_RUNS=50 BENCH_PAGE=50 npm run bench:matrix
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { runMigrations } from '@glint/store';
import { loadConfig } from '../../packages/api/src/config';
import { buildServer } from '../../packages/api/src/server';
import { loginAsDemo } from '../../test-support/api-session';
import { sandboxCloud } from '../../test-support/sandbox';

const imageCount = Number(process.env.BENCH_IMAGES ?? 2000);
const siteCount = Number(process.env.BENCH_SITES ?? 50);
const runs = Number(process.env.BENCH_RUNS ?? 50);
const pageSize = Number(process.env.BENCH_PAGE ?? 50);
const changeCount = 10_000;
const postgres = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const redisUrl = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';

const percentile = (values: number[], p: number) =>
  [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Sites, images and a realistic spread of copies and open jobs, in a few set-based statements. */
async function seed(db: Client, ownerId: string): Promise<void> {
  await db.query(
    `INSERT INTO sites (owner_id, type, name, config)
     SELECT $1, 'openstack', 'site-' || lpad(n::text, 3, '0'),
            jsonb_build_object('authUrl', 'http://keystone-' || n || '.example/v3', 'interface', 'public',
                               'region', 'region-' || (n % 5))
     FROM generate_series(1, $2) n`,
    [ownerId, siteCount],
  );
  await db.query(
    `INSERT INTO images (owner_id, name, hash_algo, hash_value, size, disk_format, container_format)
     SELECT $1, 'image-' || lpad((n % ($2 - 50))::text, 5, '0'), 'sha512', md5(n::text) || md5((n * 7)::text),
            (n % 97 + 1) * 1048576, 'qcow2', 'bare'
     FROM generate_series(1, $2) n`,
    [ownerId, imageCount],
  );
  // Each image on about 60 % of the sites: present (Glint-made), unmanaged, or being written.
  await db.query(
    `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, hash_algo, hash_value, size,
       disk_format, container_format, visibility, status, glint_content_hash, seen_at)
     SELECT $1, s.id, gen_random_uuid()::text, i.id, i.name, i.hash_algo, i.hash_value, i.size, 'qcow2', 'bare',
            CASE WHEN hashtext(i.id::text) % 10 = 0 THEN 'public' ELSE 'private' END,
            CASE WHEN abs(hashtext(i.id::text || s.id::text)) % 50 = 0 THEN 'saving' ELSE 'active' END,
            CASE WHEN abs(hashtext(s.id::text || i.id::text)) % 3 = 0 THEN NULL ELSE 'sha512:' || i.hash_value END,
            now()
     FROM images i CROSS JOIN sites s
     WHERE i.owner_id = $1 AND s.owner_id = $1 AND abs(hashtext(i.id::text || '/' || s.id::text)) % 10 < 6`,
    [ownerId],
  );
  await db.query(
    `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, source_site_id, destination_site_id, state,
       bytes_done, bytes_total, started_at)
     SELECT $1, 'seed-' || row_number() OVER (), 'copy', i.id, NULL, s.id,
            CASE WHEN abs(hashtext(i.id::text)) % 2 = 0 THEN 'running' ELSE 'queued' END, 1048576, i.size, now()
     FROM images i CROSS JOIN sites s
     WHERE i.owner_id = $1 AND s.owner_id = $1 AND abs(hashtext(s.id::text || '#' || i.id::text)) % 100 = 0
       AND NOT EXISTS (SELECT 1 FROM site_images x WHERE x.image_id = i.id AND x.site_id = s.id)`,
    [ownerId],
  );
  await db.query('ANALYZE');
}

async function main(): Promise<void> {
  const id = randomBytes(6).toString('hex');
  const databaseName = `glint_bench_${id}`;
  const databaseUrl = `${postgres}/${databaseName}`;
  const redisPrefix = `glint-bench:${id}:`;
  const admin = new Client({ connectionString: `${postgres}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  const db = new Client({ connectionString: databaseUrl });
  const redis = new Redis(redisUrl);
  const config = loadConfig({
    GLINT_DATABASE_URL: databaseUrl,
    GLINT_REDIS_URL: redisUrl,
    GLINT_REDIS_PREFIX: redisPrefix,
    GLINT_KEYSTONE_URL: sandboxCloud(1).authUrl,
    GLINT_SESSION_SECRET: randomBytes(32).toString('base64'),
    GLINT_CREDENTIAL_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    GLINT_CREDENTIAL_KEY_ID: 'bench',
    GLINT_LOG_LEVEL: 'warn',
  });
  const server = buildServer(config);
  try {
    await runMigrations(databaseUrl);
    await db.connect();
    await server.ready();
    const { cookie, headers } = await loginAsDemo(server);
    const [{ id: ownerId }] = (await db.query<{ id: string }>('SELECT id FROM users')).rows as [
      { id: string },
    ];

    let started = performance.now();
    await seed(db, ownerId);
    const counts = (
      await db.query<{ images: string; cells: string; copies: string }>(
        `SELECT (SELECT count(*) FROM images) AS images,
                (SELECT count(*) FROM images) * (SELECT count(*) FROM sites) AS cells,
                (SELECT count(*) FROM site_images) AS copies`,
      )
    ).rows[0]!;
    console.log(
      `seeded ${counts.images} images × ${siteCount} sites = ${counts.cells} cells (${counts.copies} copies) in ${ms(performance.now() - started)}`,
    );

    /** Times `runs` calls of `path`; the baseline and the matrix are measured alike. */
    const timeGets = async (path: (i: number) => string): Promise<number[]> => {
      const timings: number[] = [];
      for (let i = 0; i < runs; i++) {
        const begun = performance.now();
        const response = await server.inject({ method: 'GET', url: path(i), headers: { cookie } });
        timings.push(performance.now() - begun);
        if (response.statusCode !== 200) throw new Error(`${path(i)}: ${response.body}`);
      }
      return timings;
    };
    // The baseline: an authenticated call that reads no matrix data, i.e. the API's own floor.
    const floor = percentile(await timeGets(() => '/api/v1/me'), 0.5);
    const timings = await timeGets(
      (i) => `/api/v1/matrix?limit=${pageSize}&offset=${(i * pageSize) % imageCount}`,
    );
    const median = percentile(timings, 0.5);
    console.log(`baseline GET /api/v1/me, ${runs} runs: median ${ms(floor)}`);
    console.log(
      `GET /api/v1/matrix (${pageSize} rows × ${siteCount} columns), ${runs} runs: median ${ms(median)} ` +
        `(${(median / floor).toFixed(1)}× the baseline), p95 ${ms(percentile(timings, 0.95))} — ` +
        `target median ≤ 250 ms: ${median <= 250 ? 'met' : 'MISSED'}`,
    );
    const filtered = performance.now();
    await server.inject({
      method: 'GET',
      url: '/api/v1/matrix?conflicts=true&name=image-0',
      headers: { cookie },
    });
    console.log(
      `GET /api/v1/matrix?conflicts=true&name=image-0: ${ms(performance.now() - filtered)}`,
    );

    // 10,000 changes: 200 images wanted on all 50 sites (copies where missing).
    const { rows: chosen } = await db.query<{ image: string; site: string }>(
      `SELECT i.id AS image, s.id AS site FROM (SELECT id FROM images ORDER BY name, id LIMIT $1) i
       CROSS JOIN sites s LIMIT $2`,
      [Math.ceil(changeCount / siteCount), changeCount],
    );
    const changes = { changes: chosen.map((c) => ({ ...c, wanted: true })) };
    started = performance.now();
    const plan = await server.inject({
      method: 'POST',
      url: '/api/v1/plan',
      headers,
      payload: changes,
    });
    const planMs = performance.now() - started;
    if (plan.statusCode !== 200) throw new Error(`plan: ${plan.body}`);
    const planned = plan.json<{ copies: unknown[]; unchanged: number; refusals: unknown[] }>();
    console.log(
      `POST /api/v1/plan of ${chosen.length} changes: ${ms(planMs)} (${planned.copies.length} copy jobs, ${planned.unchanged} unchanged, ${planned.refusals.length} refused)`,
    );
    started = performance.now();
    const apply = await server.inject({
      method: 'PUT',
      url: '/api/v1/placements',
      headers,
      payload: changes,
    });
    const applyMs = performance.now() - started;
    if (apply.statusCode !== 200) throw new Error(`apply: ${apply.body}`);
    const copyQueue = server.queues.queue('copy');
    console.log(
      `PUT /api/v1/placements of ${chosen.length} changes: ${ms(applyMs)}, ${apply.json<{ jobs: unknown[] }>().jobs.length} jobs enqueued (${await copyQueue.getWaitingCount()} waiting) — target ≤ 3 s: ${applyMs <= 3000 ? 'met' : 'MISSED'}`,
    );
    started = performance.now();
    const again = await server.inject({
      method: 'PUT',
      url: '/api/v1/placements',
      headers,
      payload: changes,
    });
    console.log(
      `the same apply again: ${ms(performance.now() - started)}, ${again.json<{ jobs: unknown[] }>().jobs.length} jobs enqueued`,
    );
  } finally {
    await server.close();
    await db.end();
    const keys = await redis.keys(`${redisPrefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
