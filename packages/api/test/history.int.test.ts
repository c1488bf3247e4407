/**
 * The hourly history the panel charts: kept in PostgreSQL by a trigger as job rows reach a final
 * state (whichever process ends them), and by each inventory; served per caller, per site.
 */
import type { FastifyInstance } from 'fastify';
import {
  addSandboxSites,
  login,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two', string>;
/** The demo project, which owns the sites, and its user, who asks for jobs. */
let ownerId: string;
let userId: string;

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2 }));
  ownerId = (await env.query<{ id: string }>('SELECT id FROM projects'))[0]!.id;
  userId = (await env.query<{ id: string }>('SELECT id FROM users'))[0]!.id;
});

afterAll(() => env?.close());

/** A copy row from one to two, queued `hoursAgo` hours ago, then ended as `state`. */
async function finishedCopy(state: string, bytes: number, hoursAgo = 0): Promise<void> {
  const [row] = await env.query<{ id: string }>(
    `INSERT INTO jobs (owner_id, queue_job_id, operation, source_site_id, destination_site_id)
     VALUES ($1, gen_random_uuid()::text, 'copy', $2, $3) RETURNING id`,
    [ownerId, site.one, site.two],
  );
  const id = row!.id;
  await env.query(`UPDATE jobs SET state = 'running', started_at = now() WHERE id = $1`, [id]);
  await env.query(
    `UPDATE jobs SET state = $2, bytes_done = $3, finished_at = now() - make_interval(hours => $4)
     WHERE id = $1`,
    [id, state, bytes, hoursAgo],
  );
}

const get = <T>(url: string) =>
  server.inject({ method: 'GET', url, headers: { cookie: user.cookie } }).then((response) => {
    expect(response.statusCode).toBe(200);
    return response.json<T>();
  });

interface TransferHours {
  hours: { hour: string; succeeded: number; failed: number; cancelled: number }[];
}
interface SiteHistory {
  hours: { hour: string; bytesIn: number; bytesOut: number; succeeded: number; failed: number }[];
  inventory: { hour: string; images: number; bytes: number }[];
}

test('jobs ending are counted per hour and state, each destination once, and every hour is there', async () => {
  await finishedCopy('succeeded', 1000);
  await finishedCopy('succeeded', 500);
  await finishedCopy('failed', 10);
  await finishedCopy('cancelled', 0, 2);
  // A job still running is not history yet.
  await env.query(
    `INSERT INTO jobs (owner_id, queue_job_id, operation, destination_site_id, state)
     VALUES ($1, 'running-one', 'copy', $2, 'running')`,
    [ownerId, site.two],
  );

  const { hours } = await get<TransferHours>('/api/v1/history/transfers?hours=3');
  expect(hours).toHaveLength(3);
  const thisHour = new Date();
  thisHour.setUTCMinutes(0, 0, 0);
  expect(hours.at(-1)).toEqual({
    hour: thisHour.toISOString().replace('.000', ''),
    succeeded: 2,
    failed: 1,
    cancelled: 0,
  });
  expect(hours[0]).toMatchObject({ succeeded: 0, failed: 0, cancelled: 1 });

  const two = await get<SiteHistory>(`/api/v1/history/sites/${site.two}?hours=3`);
  expect(two.hours.at(-1)).toMatchObject({ bytesIn: 1500, bytesOut: 0, succeeded: 2, failed: 1 });
  const one = await get<SiteHistory>(`/api/v1/history/sites/${site.one}?hours=3`);
  expect(one.hours.at(-1)).toMatchObject({ bytesIn: 0, bytesOut: 1500, succeeded: 2, failed: 1 });
});

test('an upload recorded finished at once is history too', async () => {
  await server.repositories.jobs.insert(ownerId, userId, [
    {
      queueJobId: 'upload-one',
      operation: 'upload',
      imageId: null,
      sourceSiteId: null,
      destinationSiteId: site.one,
      bytesTotal: 42,
      payload: null,
      outcome: { state: 'succeeded', bytesDone: 42, error: null },
    },
  ]);
  const one = await get<SiteHistory>(`/api/v1/history/sites/${site.one}?hours=1`);
  expect(one.hours).toEqual([expect.objectContaining({ bytesIn: 42 })]);
  const only = await get<TransferHours>(`/api/v1/history/transfers?hours=1&site=${site.one}`);
  expect(only.hours).toEqual([expect.objectContaining({ succeeded: 1 })]);
});

test('an inventory notes what the site holds, once per hour', async () => {
  await env.query(
    `INSERT INTO site_images (owner_id, site_id, cloud_image_id, name, size, visibility, status, seen_at)
     VALUES ($1, $2, 'a', 'a', 100, 'private', 'active', now()), ($1, $2, 'b', 'b', 50, 'private', 'active', now())`,
    [ownerId, site.two],
  );
  await server.repositories.history.recordInventory(ownerId, site.two);
  await env.query(`DELETE FROM site_images WHERE cloud_image_id = 'b'`);
  await server.repositories.history.recordInventory(ownerId, site.two);
  const { inventory } = await get<SiteHistory>(`/api/v1/history/sites/${site.two}`);
  expect(inventory).toEqual([expect.objectContaining({ images: 1, bytes: 100 })]);
});

test('another user’s site is a 404, and a bad query a 400 saying what to fix', async () => {
  const other = await login(server, 'admin');
  const { mine } = await addSandboxSites(server, other, { mine: 3 });
  const response = await server.inject({
    method: 'GET',
    url: `/api/v1/history/sites/${mine}`,
    headers: { cookie: user.cookie },
  });
  expect(response.statusCode).toBe(404);
  const filtered = await server.inject({
    method: 'GET',
    url: `/api/v1/history/transfers?site=${mine}`,
    headers: { cookie: user.cookie },
  });
  expect(filtered.statusCode).toBe(404);
  const bad = await server.inject({
    method: 'GET',
    url: '/api/v1/history/transfers?hours=0',
    headers: { cookie: user.cookie },
  });
  expect(bad.statusCode).toBe(400);
  expect(bad.json<{ message: string }>().message).toMatch(/hours/);
});
