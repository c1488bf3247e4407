import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { CredentialCipher } from '@glint/store';
import { testEnvironment, type TestEnvironment } from '../../../test-support/test-environment';

const postgres = 'postgres://postgres@127.0.0.1:5432';
const repository = join(__dirname, '..', '..', '..');
const tables = [
  'accounts',
  'audit_events',
  'credentials',
  'images',
  'inventory_history',
  'jobs',
  'placements',
  'projects',
  'release_channels',
  'release_families',
  'release_version_sites',
  'release_versions',
  'rules',
  'site_images',
  'sites',
  'transfer_history',
  'users',
];

let env: TestEnvironment;
let admin: Client;
const extraDatabases: string[] = [];

beforeAll(async () => {
  env = await testEnvironment();
  admin = new Client({ connectionString: `${postgres}/postgres` });
  await admin.connect();
});

afterAll(async () => {
  for (const name of extraDatabases)
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin?.end();
  await env?.close();
});

/** An empty database of its own, dropped after the file. */
async function emptyDatabase(): Promise<string> {
  const name = `glint_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  extraDatabases.push(name);
  return `${postgres}/${name}`;
}

/** `npm run migrate` of the store package: every pending migration, or only the next `count`. */
const migrateStore = (databaseUrl: string, count?: number) =>
  promisify(execFile)(
    'npm',
    ['run', 'migrate', '-w', '@glint/store', ...(count === undefined ? [] : ['--', String(count)])],
    { cwd: repository, env: { ...process.env, GLINT_DATABASE_URL: databaseUrl } },
  );

async function tablesOf(databaseUrl: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'pgmigrations' ORDER BY 1",
    );
    return rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  test('`npm run migrate -w @glint/api` creates the schema, and a second run changes nothing', async () => {
    const databaseUrl = await emptyDatabase();
    const migrate = () =>
      promisify(execFile)('npm', ['run', 'migrate', '-w', '@glint/api'], {
        cwd: repository,
        env: { ...process.env, GLINT_DATABASE_URL: databaseUrl },
      });
    expect((await migrate()).stdout).toMatch(/control-plane/);
    expect(await tablesOf(databaseUrl)).toEqual(tables);
    expect((await migrate()).stdout).toMatch(/No migrations to run/);
  });

  test('job-image-names names the jobs already in the history', async () => {
    const databaseUrl = await emptyDatabase();
    const { runner } = require('node-pg-migrate') as typeof import('node-pg-migrate', {
      with: { 'resolution-mode': 'import' },
    });
    const migrate = (count: number) =>
      runner({
        databaseUrl,
        dir: join(repository, 'migrations'),
        ignorePattern: '(?!.*\\.sql$).*',
        migrationsTable: 'pgmigrations',
        direction: 'up',
        count,
        log: () => {},
      });
    // Up to the migration before it.
    const before = readdirSync(join(repository, 'migrations'))
      .filter((file) => file.endsWith('.sql'))
      .sort()
      .indexOf('1796000000000_job-image-names.sql');
    expect((await migrate(before)).map((m) => m.name)).not.toContain(
      '1796000000000_job-image-names',
    );
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const one = async <T>(sql: string, values: unknown[] = []) =>
        (await client.query(sql, values)).rows[0] as T;
      const { id: owner } = await one<{ id: string }>(
        `INSERT INTO users (keystone_user_id, name, domain_id, domain_name) VALUES ('k', 'u', 'd', 'D') RETURNING id`,
      );
      const { id: image } = await one<{ id: string }>(
        `INSERT INTO images (owner_id, name) VALUES ($1, 'cirros') RETURNING id`,
        [owner],
      );
      const job = (
        queueJobId: string,
        operation: string,
        imageId: string | null,
        payload: object | null,
      ) =>
        client.query(
          'INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, payload) VALUES ($1, $2, $3, $4, $5)',
          [owner, queueJobId, operation, imageId, payload],
        );
      await job('copy-1', 'copy', image, null);
      await job('import-1', 'import', null, { name: 'fetched' });
      await job('upload-1', 'upload', null, null);
      await job('upload-2', 'upload', null, null);
      await client.query(
        `INSERT INTO audit_events (owner_id, action, target_type, target_id, details)
         VALUES ($1, 'image.uploaded', 'job', 'upload-1', '{"name": "sent"}')`,
        [owner],
      );
      expect((await migrate(Infinity)).map((m) => m.name)).toContain(
        '1796000000000_job-image-names',
      );
      const { rows } = await client.query(
        'SELECT queue_job_id, image_name FROM jobs ORDER BY queue_job_id',
      );
      expect(rows).toEqual([
        { queue_job_id: 'copy-1', image_name: 'cirros' },
        { queue_job_id: 'import-1', image_name: 'fetched' },
        { queue_job_id: 'upload-1', image_name: 'sent' },
        // An upload whose audit event is gone stays unnamed.
        { queue_job_id: 'upload-2', image_name: null },
      ]);
    } finally {
      await client.end();
    }
  });

  test("issue 15: each user's rows move to the project of their latest login; members' rows merge, credentials still open", async () => {
    const databaseUrl = await emptyDatabase();
    const files = (await readdir(join(repository, 'migrations'))).filter((f) => f.endsWith('.sql'));
    await migrateStore(databaseUrl, files.sort().indexOf('1796100000000_projects.sql'));
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const cipher = new CredentialCipher({
      currentKeyId: 'k',
      keys: new Map([['k', randomBytes(32)]]),
    });
    try {
      const one = async <T>(sql: string, values: unknown[] = []) =>
        (await client.query(sql, values)).rows[0] as T;
      const user = async (name: string, project: string | null, lastLogin: string) =>
        (
          await one<{ id: string }>(
            `INSERT INTO users (keystone_user_id, name, domain_id, domain_name, project_id, project_name, last_login_at)
             VALUES ($1, $1, 'default', 'Default', $2, $3, $4) RETURNING id`,
            [name, project && `kp-${project}`, project, lastLogin],
          )
        ).id;
      const alice = await user('alice', 'atlas', '2026-01-02');
      const bob = await user('bob', 'atlas', '2026-01-03');
      const carol = await user('carol', 'belle', '2026-01-01');
      const dave = await user('dave', null, '2026-01-01');
      const site = async (owner: string, name: string) =>
        (
          await one<{ id: string }>(
            `INSERT INTO sites (owner_id, type, name, config) VALUES ($1, 'openstack', $2, '{"authUrl": "http://k/v3", "interface": "public"}') RETURNING id`,
            [owner, name],
          )
        ).id;
      const sites = {
        alice: await site(alice, 'Cloud'),
        bob: await site(bob, 'cloud'),
        carol: await site(carol, 'cloud'),
        dave: await site(dave, 'cloud'),
      };
      const secret = { kind: 'password', username: 'u', password: 'bob-secret' };
      const sealed = cipher.seal(secret, { ownerId: bob, siteId: sites.bob });
      await client.query(
        `INSERT INTO credentials (owner_id, site_id, kind, principal, key_id, nonce, ciphertext, auth_tag, validated_at)
         VALUES ($1, $2, 'password', '{}', $3, $4, $5, $6, now())`,
        [bob, sites.bob, sealed.keyId, sealed.nonce, sealed.ciphertext, sealed.authTag],
      );
      const image = async (owner: string, created: string) =>
        (
          await one<{ id: string }>(
            `INSERT INTO images (owner_id, name, hash_algo, hash_value, created_at) VALUES ($1, 'cirros', 'sha512', 'aa', $2) RETURNING id`,
            [owner, created],
          )
        ).id;
      const alicesImage = await image(alice, '2026-01-01');
      const bobsImage = await image(bob, '2026-01-02');
      await client.query(
        'INSERT INTO placements (owner_id, image_id, site_id, wanted, requested_by) VALUES ($1, $2, $3, true, $1)',
        [bob, bobsImage, sites.bob],
      );
      await client.query(
        `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, destination_site_id, payload, requested_by)
         VALUES ($1, 'copy-1', 'copy', $2, $3, $4, $1)`,
        [bob, bobsImage, sites.bob, { ownerId: bob, imageId: bobsImage }],
      );
      await client.query(
        `INSERT INTO audit_events (owner_id, actor_id, action, target_type, target_id) VALUES ($1, $1, 'site.created', 'site', $2)`,
        [bob, sites.bob],
      );

      // The projects migration only: the down below must be its own.
      await migrateStore(databaseUrl, 1);

      const { rows: projects } = await client.query<{ id: string; keystone: string | null }>(
        'SELECT id, keystone_project_id AS keystone, name FROM projects ORDER BY name',
      );
      expect(projects.map(({ id: _id, ...rest }) => rest)).toEqual([
        { keystone: 'kp-atlas', name: 'atlas' },
        { keystone: 'kp-belle', name: 'belle' },
        { keystone: null, name: 'unscoped logins of dave' },
      ]);
      const [atlas, belle, daves] = projects.map((p) => p.id);
      const { rows: siteRows } = await client.query(
        'SELECT id, owner_id, name FROM sites ORDER BY name, owner_id',
      );
      expect(siteRows).toEqual(
        expect.arrayContaining([
          { id: sites.alice, owner_id: atlas, name: 'Cloud' },
          { id: sites.bob, owner_id: atlas, name: 'cloud (bob)' },
          { id: sites.carol, owner_id: belle, name: 'cloud' },
          { id: sites.dave, owner_id: daves, name: 'cloud' },
        ]),
      );
      // One image per name and content in a project: the older one, which bob's rows now name.
      expect((await client.query('SELECT id, owner_id FROM images')).rows).toEqual([
        { id: alicesImage, owner_id: atlas },
      ]);
      expect(await one('SELECT owner_id, image_id, requested_by FROM placements')).toEqual({
        owner_id: atlas,
        image_id: alicesImage,
        requested_by: bob,
      });
      expect(await one('SELECT owner_id, image_id, payload, requested_by FROM jobs')).toEqual({
        owner_id: atlas,
        image_id: alicesImage,
        payload: { ownerId: atlas, imageId: bobsImage },
        requested_by: bob,
      });
      expect(await one('SELECT owner_id, actor_id FROM audit_events')).toEqual({
        owner_id: atlas,
        actor_id: bob,
      });
      // Sealed for bob, and still opened as his.
      const stored = await one<{ sealedFor: string } & typeof sealed>(
        `SELECT key_id AS "keyId", nonce, ciphertext, auth_tag AS "authTag", sealed_for AS "sealedFor" FROM credentials`,
      );
      expect(stored.sealedFor).toBe(bob);
      expect(cipher.open(stored, { ownerId: stored.sealedFor, siteId: sites.bob })).toEqual(secret);
      // The references hold between projects as they did between users.
      await expect(
        client.query(
          `INSERT INTO placements (owner_id, image_id, site_id, wanted) VALUES ($1, $2, $3, true)`,
          [belle, alicesImage, sites.carol],
        ),
      ).rejects.toMatchObject({ code: '23503' });
      // Not reversible: the down migration refuses.
      await expect(
        promisify(execFile)(
          'npx',
          [
            'node-pg-migrate',
            'down',
            '--database-url-var',
            'GLINT_DATABASE_URL',
            '--config-file',
            'migrate.json',
          ],
          {
            cwd: join(repository, 'packages', 'store'),
            env: { ...process.env, GLINT_DATABASE_URL: databaseUrl },
          },
        ),
      ).rejects.toMatchObject({ stderr: expect.stringMatching(/not reversible/) });
      expect(await one('SELECT count(*)::int AS n FROM projects')).toEqual({ n: 3 });
    } finally {
      await client.end();
    }
  });

  test('the API migrates on start when configured to, also when two instances start at once', async () => {
    const databaseUrl = await emptyDatabase();
    const overrides = { GLINT_DATABASE_URL: databaseUrl, GLINT_MIGRATE_ON_START: 'true' };
    await Promise.all([env.start(overrides), env.start(overrides)]);
    expect(await tablesOf(databaseUrl)).toEqual(tables);
  });
});

describe('the schema', () => {
  /** A Keystone project that owns rows, as a login to it records it. */
  async function project(name: string): Promise<string> {
    const [row] = await env.query<{ id: string }>(
      `INSERT INTO projects (keystone_project_id, domain_id, name) VALUES ($1, 'default', $1) RETURNING id`,
      [`${name}-${randomBytes(4).toString('hex')}`],
    );
    return row!.id;
  }

  async function site(
    ownerId: string,
    name = `site-${randomBytes(4).toString('hex')}`,
  ): Promise<string> {
    const [row] = await env.query<{ id: string }>(
      `INSERT INTO sites (owner_id, type, name, config) VALUES ($1, 'openstack', $2, '{"authUrl": "http://k/v3", "interface": "public"}') RETURNING id`,
      [ownerId, name],
    );
    return row!.id;
  }

  const insertCredential = (ownerId: string, siteId: string) =>
    env.query(
      `INSERT INTO credentials (owner_id, site_id, kind, principal, key_id, nonce, ciphertext, auth_tag, validated_at, sealed_for)
       VALUES ($1, $2, 'password', '{}', 'k', $3, $4, $5, now(), $1)`,
      [ownerId, siteId, Buffer.alloc(12), Buffer.alloc(8), Buffer.alloc(16)],
    );

  test("a row cannot point at another project's site", async () => {
    const alice = await project('alice');
    const bob = await project('bob');
    const alicesSite = await site(alice);
    await expect(insertCredential(bob, alicesSite)).rejects.toMatchObject({ code: '23503' });
  });

  test('rule names are slugs, unique per project and free across projects; rules go with their project', async () => {
    const alice = await project('alice');
    const bob = await project('bob');
    const rule = (ownerId: string, name: string) =>
      env.query(
        `INSERT INTO rules (owner_id, name, images, sites) VALUES ($1, $2, '{"names": ["*"]}', '{"types": ["openstack"]}')`,
        [ownerId, name],
      );
    await rule(alice, 'atlas');
    await expect(rule(alice, 'atlas')).rejects.toMatchObject({
      code: '23505',
      constraint: 'rules_name_per_owner',
    });
    await rule(bob, 'atlas');
    await expect(rule(alice, 'Atlas')).rejects.toMatchObject({ code: '23514' });
    await expect(rule(alice, '-atlas')).rejects.toMatchObject({ code: '23514' });
    await env.query('DELETE FROM projects WHERE id = $1', [alice]);
    expect(await env.query('SELECT owner_id FROM rules WHERE name = $1', ['atlas'])).toEqual([
      { owner_id: bob },
    ]);
  });

  test('site names are unique per project in any letter case, and free across projects', async () => {
    const alice = await project('alice');
    await site(alice, 'Cloud');
    await expect(site(alice, 'cloud')).rejects.toMatchObject({
      code: '23505',
      constraint: 'sites_name_per_owner',
    });
    await expect(site(await project('bob'), 'cloud')).resolves.toEqual(expect.any(String));
  });

  test('an openstack site needs an auth URL and an interface', async () => {
    await expect(
      env.query(
        `INSERT INTO sites (owner_id, type, name, config) VALUES ($1, 'openstack', 'x', '{}')`,
        [await project('carol')],
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'sites_openstack_config' });
  });

  test('deleting a site removes its credential, inventory and placements, and keeps its job history', async () => {
    const owner = await project('dave');
    const siteId = await site(owner);
    await insertCredential(owner, siteId);
    const [image] = await env.query<{ id: string }>(
      `INSERT INTO images (owner_id, name, hash_algo, hash_value) VALUES ($1, 'cirros', 'sha512', 'ab') RETURNING id`,
      [owner],
    );
    await env.query(
      `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, visibility, status, seen_at)
       VALUES ($1, $2, 'glance-id', $3, 'cirros', 'private', 'active', now())`,
      [owner, siteId, image!.id],
    );
    await env.query(
      'INSERT INTO placements (owner_id, image_id, site_id, wanted) VALUES ($1, $2, $3, true)',
      [owner, image!.id, siteId],
    );
    const [job] = await env.query<{ id: string }>(
      `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, destination_site_id) VALUES ($1, 'copy:x', 'copy', $2, $3) RETURNING id`,
      [owner, image!.id, siteId],
    );

    await env.query('DELETE FROM sites WHERE id = $1', [siteId]);
    for (const table of ['credentials', 'site_images', 'placements']) {
      expect(await env.query(`SELECT * FROM ${table} WHERE site_id = $1`, [siteId])).toEqual([]);
    }
    expect(
      await env.query('SELECT owner_id, image_id, destination_site_id FROM jobs WHERE id = $1', [
        job!.id,
      ]),
    ).toEqual([{ owner_id: owner, image_id: image!.id, destination_site_id: null }]);
  });

  test('an image is identified by name and content, hashless images included', async () => {
    const owner = await project('erin');
    const insert = (hash: string | null) =>
      env.query(
        `INSERT INTO images (owner_id, name, hash_algo, hash_value) VALUES ($1, 'ubuntu', $2, $3)`,
        [owner, hash && 'sha512', hash],
      );
    await insert('aa');
    await insert('bb');
    await insert(null);
    await expect(insert('aa')).rejects.toMatchObject({ code: '23505' });
    await expect(insert(null)).rejects.toMatchObject({ code: '23505' });
  });

  test('issue 12 item 1: stagingDir is dropped from stored EC2 account and region-site settings, the rest kept', async () => {
    const databaseUrl = await emptyDatabase();
    const files = (await readdir(join(repository, 'migrations'))).filter((f) => f.endsWith('.sql'));
    const before = files
      .sort()
      .findIndex((f) => f.endsWith('_ec2-settings-without-staging-dir.sql'));
    expect(before).toBeGreaterThan(0);
    await migrateStore(databaseUrl, before);
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const kept = { importMode: 'snapshot', bucket: 'glint-images' };
      const stored = { ...kept, stagingDir: '/root/../etc/cron.d' };
      const {
        rows: [user],
      } = await client.query<{ id: string }>(
        "INSERT INTO users (keystone_user_id, name, domain_id, domain_name) VALUES ('k1', 'demo', 'default', 'Default') RETURNING id",
      );
      const {
        rows: [account],
      } = await client.query<{ id: string }>(
        "INSERT INTO accounts (owner_id, type, name, config) VALUES ($1, 'ec2', 'aws', $2) RETURNING id",
        [user!.id, stored],
      );
      await client.query(
        "INSERT INTO sites (owner_id, type, name, config, account_id) VALUES ($1, 'ec2', 'aws/eu-west-1', $2, $3)",
        [user!.id, { ...stored, region: 'eu-west-1' }, account!.id],
      );
      await migrateStore(databaseUrl);
      const { rows: accounts } = await client.query('SELECT config FROM accounts');
      const { rows: sites } = await client.query('SELECT config FROM sites');
      expect(accounts).toEqual([{ config: kept }]);
      expect(sites).toEqual([{ config: { ...kept, region: 'eu-west-1' } }]);
    } finally {
      await client.end();
    }
  });
});
