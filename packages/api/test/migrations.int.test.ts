import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { testEnvironment, type TestEnvironment } from './test-environment';

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

  test('the API migrates on start when configured to, also when two instances start at once', async () => {
    const databaseUrl = await emptyDatabase();
    const overrides = { GLINT_DATABASE_URL: databaseUrl, GLINT_MIGRATE_ON_START: 'true' };
    await Promise.all([env.start(overrides), env.start(overrides)]);
    expect(await tablesOf(databaseUrl)).toEqual(tables);
  });
});

describe('the schema', () => {
  async function user(name: string): Promise<string> {
    const [row] = await env.query<{ id: string }>(
      `INSERT INTO users (keystone_user_id, name, domain_id, domain_name) VALUES ($1, $1, 'default', 'Default') RETURNING id`,
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
      `INSERT INTO credentials (owner_id, site_id, kind, principal, key_id, nonce, ciphertext, auth_tag, validated_at)
       VALUES ($1, $2, 'password', '{}', 'k', $3, $4, $5, now())`,
      [ownerId, siteId, Buffer.alloc(12), Buffer.alloc(8), Buffer.alloc(16)],
    );

  test("a row cannot point at another user's site", async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const alicesSite = await site(alice);
    await expect(insertCredential(bob, alicesSite)).rejects.toMatchObject({ code: '23503' });
  });

  test('site names are unique per owner in any letter case, and free across owners', async () => {
    const alice = await user('alice');
    await site(alice, 'Cloud');
    await expect(site(alice, 'cloud')).rejects.toMatchObject({
      code: '23505',
      constraint: 'sites_name_per_owner',
    });
    await expect(site(await user('bob'), 'cloud')).resolves.toEqual(expect.any(String));
  });

  test('an openstack site needs an auth URL and an interface', async () => {
    await expect(
      env.query(
        `INSERT INTO sites (owner_id, type, name, config) VALUES ($1, 'openstack', 'x', '{}')`,
        [await user('carol')],
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'sites_openstack_config' });
  });

  test('deleting a site removes its credential, inventory and placements, and keeps its job history', async () => {
    const owner = await user('dave');
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
    const owner = await user('erin');
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
});
