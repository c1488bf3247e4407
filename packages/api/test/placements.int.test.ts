import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ImageInfo } from '@glint/cloud-adapters';
import { sandboxCloud } from '../../../test-support/sandbox';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  refreshAll,
  startInventoryWorker,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import {
  matrixRow,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const run = `pl-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let worker: RunningWorker;
let site: Record<'one' | 'two' | 'three', string>;
let original: ImageInfo;
let imageId: string;
/** The fanned-out copy applying queues: one job, whatever the number of its destinations. */
let copyJobId: string;

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2, three: 3 }));
  original = await images.seed(sandboxCloud(1), `${run}-x`, run);
  worker = await startInventoryWorker(env);
  await refreshAll(server, user);
  imageId = (await matrixRow(server, user, run)).id;
});

afterAll(async () => {
  await worker?.close();
  await images.close();
  await env?.close();
});

const send = (method: 'POST' | 'PUT', url: string, payload: object) =>
  server.inject({ method, url, headers: user.headers, payload });
const wantOnTwoAndThree = () => ({
  changes: [
    { image: imageId, site: site.two, wanted: true },
    { image: imageId, site: site.three, wanted: true },
  ],
});
const copyQueue = () => server.queues.queue('copy');

test('a plan names one copy fanning out from the only source, and changes nothing', async () => {
  const before = await env.snapshot('placements', 'jobs', 'audit_events');
  const response = await send('POST', '/api/v1/plan', wantOnTwoAndThree());
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({
    copies: [
      {
        imageId,
        source: { siteId: site.one, cloudImageId: original.id },
        destinations: [site.two, site.three].sort(),
        bytes: original.size,
      },
    ],
    deletes: [],
    refusals: [],
    unchanged: 0,
    givenBack: 0,
    bytes: original.size,
    // The plan names what it mentions, so a client shows it without looking names up.
    names: {
      images: { [imageId]: `${run}-x` },
      sites: { [site.one]: 'one', [site.two]: 'two', [site.three]: 'three' },
    },
  });
  expect(await env.snapshot('placements', 'jobs', 'audit_events')).toEqual(before);
  expect(await copyQueue().getJobCounts('waiting')).toEqual({ waiting: 0 });
});

test('applying enqueues exactly the planned job, and applying again enqueues none', async () => {
  const first = await send('PUT', '/api/v1/placements', wantOnTwoAndThree());
  expect(first.statusCode).toBe(200);
  const { jobs } = first.json<{ jobs: { id: string; operation: string }[] }>();
  expect(jobs).toEqual([{ id: expect.stringMatching(/^copy-/), operation: 'copy' }]);
  copyJobId = jobs[0]!.id;
  const queued = await copyQueue().getJobs(['waiting']);
  expect(queued.map((job) => job.id)).toEqual([copyJobId]);
  expect(queued[0]!.data).toMatchObject({
    imageId,
    source: { siteId: site.one, cloudImageId: original.id },
    destinations: [
      { siteId: expect.any(String), cloudImageId: expect.any(String) },
      { siteId: expect.any(String), cloudImageId: expect.any(String) },
    ],
  });
  const rows = await env.query(
    'SELECT destination_site_id, state, enqueued_at IS NOT NULL AS enqueued FROM jobs ORDER BY 1',
  );
  expect(rows).toEqual(
    [site.two, site.three]
      .sort()
      .map((id) => ({ destination_site_id: id, state: 'queued', enqueued: true })),
  );
  expect(await env.query('SELECT site_id, wanted FROM placements ORDER BY 1')).toHaveLength(2);

  const second = await send('PUT', '/api/v1/placements', wantOnTwoAndThree());
  expect(second.json()).toMatchObject({ jobs: [], copies: [], unchanged: 2 });
  expect(await copyQueue().getJobCounts('waiting')).toEqual({ waiting: 1 });
  expect(await env.query('SELECT 1 FROM jobs')).toHaveLength(2);

  const { cells } = await matrixRow(server, user, run);
  expect(Object.fromEntries(cells.map((c) => [c.siteId, c.state]))).toEqual({
    [site.one]: 'unmanaged',
    [site.two]: 'queued',
    [site.three]: 'queued',
  });
});

test('deleting the last copy is refused with a reason unless forced; nothing is written', async () => {
  const before = await env.snapshot('placements', 'jobs');
  const unwanted = { changes: [{ image: imageId, site: site.one, wanted: false }] };
  const refused = await send('PUT', '/api/v1/placements', unwanted);
  expect(refused.statusCode).toBe(200);
  expect(refused.json()).toMatchObject({
    deletes: [],
    jobs: [],
    refusals: [{ imageId, siteId: site.one, wanted: false, reason: 'last_copy' }],
  });
  expect(await env.snapshot('placements', 'jobs')).toEqual(before);
  const forced = await send('POST', '/api/v1/plan', { ...unwanted, force: true });
  expect(forced.json()).toMatchObject({
    deletes: [{ imageId, siteId: site.one, cloudImageId: original.id }],
    refusals: [],
  });
});

test('an image or site that is not yours is a 404, and nothing is written', async () => {
  const before = await env.snapshot('placements', 'jobs');
  const unknownImage = await send('PUT', '/api/v1/placements', {
    changes: [{ image: randomUUID(), site: site.two, wanted: true }],
  });
  expect(unknownImage.statusCode).toBe(404);
  expect(unknownImage.json().error).toBe('image_not_found');
  const unknownSite = await send('POST', '/api/v1/plan', {
    desired: [{ image: imageId, sites: [randomUUID()] }],
  });
  expect(unknownSite.statusCode).toBe(404);
  expect(unknownSite.json().error).toBe('site_not_found');
  expect(await env.snapshot('placements', 'jobs')).toEqual(before);
});

describe('jobs', () => {
  const get = (url: string) =>
    server.inject({ method: 'GET', url, headers: { cookie: user.cookie } });
  const post = (url: string) => server.inject({ method: 'POST', url, headers: user.headers });

  test('a copy to two sites is one job, under the id applying gave, with a part per destination', async () => {
    const all = (await get(`/api/v1/jobs?state=queued&operation=copy&image=${imageId}`)).json();
    expect(all.page.total).toBe(1);
    expect(all.jobs.map((job: { id: string }) => job.id)).toEqual([copyJobId]);
    expect((await get(`/api/v1/jobs?site=${site.two}`)).json().jobs).toHaveLength(1);
    expect((await get(`/api/v1/jobs?site=${site.one}`)).json().jobs).toHaveLength(1);
    expect((await get('/api/v1/jobs?operation=delete')).json().jobs).toEqual([]);
    expect((await get('/api/v1/jobs?state=failed')).json().jobs).toEqual([]);
    const detail = await get(`/api/v1/jobs/${copyJobId}`);
    expect(detail.statusCode).toBe(200);
    const queuedPart = { state: 'queued', attempts: 0, bytesDone: 0, error: null, method: null };
    expect(detail.json()).toEqual({
      id: copyJobId,
      operation: 'copy',
      state: 'queued',
      imageId,
      imageName: `${run}-x`,
      sourceSiteId: site.one,
      sourceSiteName: 'one',
      createdAt: expect.any(String),
      startedAt: null,
      finishedAt: null,
      parts: [
        { siteId: site.three, siteName: 'three', ...queuedPart },
        { siteId: site.two, siteName: 'two', ...queuedPart },
      ].map((part) => ({
        ...part,
        bytesTotal: original.size,
        startedAt: null,
        finishedAt: null,
      })),
    });
    expect((await get(`/api/v1/jobs/${randomUUID()}`)).json().error).toBe('job_not_found');
  });

  test('cancelling a queued copy cancels every destination and takes it off the queue; a retry queues the one asked for again', async () => {
    const cancelled = await post(`/api/v1/jobs/${copyJobId}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().state).toBe('cancelled');
    expect(await env.query(`SELECT DISTINCT state FROM jobs`)).toEqual([{ state: 'cancelled' }]);
    expect(await copyQueue().getJobCounts('waiting')).toEqual({ waiting: 0 });
    expect((await post(`/api/v1/jobs/${copyJobId}/cancel`)).statusCode).toBe(409);
    const notThere = await post(`/api/v1/jobs/${copyJobId}/retry?site=${site.one}`);
    expect(notThere.statusCode).toBe(409);
    expect(notThere.json().message).toContain(`no failed or cancelled part on site ${site.one}`);

    const retried = await post(`/api/v1/jobs/${copyJobId}/retry?site=${site.three}`);
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toMatchObject({
      id: expect.stringMatching(/^copy-/),
      state: 'queued',
      imageName: `${run}-x`,
      parts: [{ siteId: site.three, state: 'queued' }],
    });
    expect(retried.json().id).not.toBe(copyJobId);
    const [waiting] = await copyQueue().getJobs(['waiting']);
    expect(waiting!.id).toBe(retried.json().id);
    expect(waiting!.data.destinations).toEqual([
      { siteId: site.three, cloudImageId: expect.any(String) },
    ]);
  });
});
