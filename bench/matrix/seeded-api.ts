/**
 * The API at scale, for benchmarks: a database of its own seeded with `images` logical images ×
 * `sites` sites for the sandbox's demo user (a realistic spread of copies and open jobs), the real
 * API on it (real PostgreSQL and Redis), logged in. bench/matrix times the API on it, bench/panel
 * the panel in Chromium.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { reevaluateRules, repositoriesOn, runMigrations } from '@glint/store';
import { loadConfig } from '../../packages/api/src/config';
import { buildServer } from '../../packages/api/src/server';
import { loginAsDemo, type ApiSession } from '../../test-support/api-session';
import { sandboxCloud, sandboxProjectAdminRoles } from '../../test-support/sandbox';

export const ms = (value: number) => `${value.toFixed(1)} ms`;

export const percentile = (values: number[], p: number) =>
  [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

export interface SeededApi extends ApiSession {
  server: FastifyInstance;
  db: Client;
  close(): Promise<void>;
}

/** Sites, images and a realistic spread of copies and open jobs, in a few set-based statements. */
async function seed(db: Client, ownerId: string, imageCount: number, siteCount: number) {
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
}

/** Label values sites get in turn, so rules select some of them. */
const experiments = ['atlas', 'cms', 'lhcb', 'alice'];

/**
 * Labels on the sites, properties on the copies, and `count` standing rules, evaluated into the
 * placements they imply as the API would on saving them: rule i places the images of its name
 * prefix (a tenth of them) or of an os_distro on the sites of one experiment or one tier.
 */
async function seedRules(db: Client, ownerId: string, count: number): Promise<void> {
  await db.query(
    `UPDATE sites SET labels = jsonb_build_object(
       'experiment', ($2::text[])[abs(hashtext(id::text)) % 4 + 1],
       'tier', CASE WHEN abs(hashtext(name)) % 3 = 0 THEN 'gold' ELSE 'silver' END)
     WHERE owner_id = $1`,
    [ownerId, experiments],
  );
  await db.query(
    `UPDATE site_images SET properties = jsonb_build_object('os_distro',
       CASE WHEN abs(hashtext(image_id::text)) % 3 = 0 THEN 'ubuntu' ELSE 'rocky' END)
     WHERE owner_id = $1`,
    [ownerId],
  );
  for (let i = 0; i < count; i++) {
    const images =
      i % 2 === 0
        ? { names: [`image-${i % 10}*`] }
        : { properties: { os_distro: i % 4 === 1 ? 'ubuntu' : 'rocky' } };
    const sites =
      i % 3 === 0 ? { labels: { tier: 'gold' } } : { labels: { experiment: experiments[i % 4]! } };
    await db.query(
      `INSERT INTO rules (owner_id, name, images, sites, prune) VALUES ($1, $2, $3, $4, $5)`,
      [ownerId, `rule-${String(i).padStart(2, '0')}`, images, sites, i % 5 === 0],
    );
  }
  if (count > 0) await reevaluateRules(repositoriesOn(db), ownerId);
}

export async function seededApi(options: {
  images: number;
  sites: number;
  /** Projects seeded alike, the demo user's first (default 1). */
  projects?: number;
  /** Standing rules in each project (default none). */
  rules?: number;
  postgres?: string;
  redis?: string;
}): Promise<SeededApi> {
  const postgres = options.postgres ?? 'postgres://postgres@127.0.0.1:5432';
  const redisUrl = options.redis ?? 'redis://127.0.0.1:6379';
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
    // The demo user is a member; rules are an admin's to change, as in the tests.
    GLINT_PROJECT_ADMIN_ROLES: sandboxProjectAdminRoles,
  });
  const server = buildServer(config);
  const close = async () => {
    await server.close();
    await db.end().catch(() => {});
    const keys = await redis.keys(`${redisPrefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
  };
  try {
    await runMigrations(databaseUrl);
    await db.connect();
    await server.ready();
    const session = await loginAsDemo(server);
    const [{ id: ownerId }] = (await db.query<{ id: string }>('SELECT id FROM projects')).rows as [
      { id: string },
    ];
    const started = performance.now();
    const others = await db.query<{ id: string }>(
      `INSERT INTO projects (name) SELECT 'bench-other-' || n FROM generate_series(2, $1) n RETURNING id`,
      [options.projects ?? 1],
    );
    for (const owner of [ownerId, ...others.rows.map((row) => row.id)]) {
      await seed(db, owner, options.images, options.sites);
      await seedRules(db, owner, options.rules ?? 0);
    }
    await db.query('ANALYZE');
    const counts = (
      await db.query<{ images: string; cells: string; copies: string; placements: string }>(
        `SELECT (SELECT count(*) FROM images WHERE owner_id = $1) AS images,
                (SELECT count(*) FROM images WHERE owner_id = $1) * $2 AS cells,
                (SELECT count(*) FROM site_images WHERE owner_id = $1) AS copies,
                (SELECT count(*) FROM placements WHERE owner_id = $1) AS placements`,
        [ownerId, options.sites],
      )
    ).rows[0]!;
    console.log(
      `seeded ${options.projects ?? 1} project(s), each ${counts.images} images × ${options.sites} sites = ${counts.cells} cells (${counts.copies} copies, ${options.rules ?? 0} rules placing ${counts.placements} cells) in ${ms(performance.now() - started)}`,
    );
    return { ...session, server, db, close };
  } catch (error) {
    await close();
    throw error;
  }
}
