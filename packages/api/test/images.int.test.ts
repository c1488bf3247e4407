import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { hostAddress } from '../../../test-support/host-address';
import { outboundAllow, sandboxCloud } from '../../../test-support/sandbox';
import { digestStream, randomImageStream } from '../../../test-support/random-image';
import { CloudImages } from '../../../test-support/cloud-images';
import { startTransferWorker, type RunningWorker } from '../../../test-support/inventory-worker';
import {
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const run = `im-${randomBytes(4).toString('hex')}`;
const size = 256 * 1024 + 3;
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let siteId: string;
let files: Server;
let base: string;
/**
 * The image server of these tests is on loopback, so this operator allows exactly it (and the
 * closed port 9 the queue-only test names); the default refuses both.
 */
let allow: { GLINT_OUTBOUND_ALLOW: string };

beforeAll(async () => {
  files = createServer((request, response) => {
    if (request.url === '/image.raw') {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': size,
      });
      randomImageStream(size, run).pipe(response);
    } else if (request.url === '/page') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    } else if (request.url?.startsWith('/to/')) {
      response.writeHead(302, { location: request.url.slice('/to/'.length) }).end();
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  allow = { GLINT_OUTBOUND_ALLOW: outboundAllow(base, 'http://127.0.0.1:9') };
  let site: { one: string };
  ({ env, server, user, site } = await withSites({ one: 1 }, allow));
  siteId = site.one;
});

afterAll(async () => {
  await env?.close();
  await new Promise((resolve) => files?.close(resolve));
});

const importUrl = (payload: object) =>
  server.inject({ method: 'POST', url: '/api/v1/images/import', headers: user.headers, payload });
const body = { url: 'http://127.0.0.1:9/image.raw', name: 'imported', diskFormat: 'raw' };

test('a URL import is recorded and queued once, with new image ids for each site', async () => {
  const response = await importUrl({ ...body, sites: [siteId], expectedSize: 1024 });
  expect(response.statusCode).toBe(202);
  const { jobId } = response.json<{ jobId: string }>();
  const queued = await server.queues.queue('import').getJob(jobId);
  expect(queued?.data).toMatchObject({
    url: body.url,
    name: 'imported',
    containerFormat: 'bare',
    visibility: 'private',
    expectedSize: 1024,
    destinations: [{ siteId, cloudImageId: expect.any(String) }],
  });
  expect(
    await env.query(
      'SELECT operation, destination_site_id, state, enqueued_at IS NOT NULL AS enqueued FROM jobs',
    ),
  ).toEqual([
    { operation: 'import', destination_site_id: siteId, state: 'queued', enqueued: true },
  ]);
  // No logical image names the import yet: the job carries the name it was given.
  const job = await server.inject({
    url: `/api/v1/jobs/${jobId}`,
    headers: { cookie: user.cookie },
  });
  expect(job.json()).toMatchObject({
    id: jobId,
    operation: 'import',
    imageId: null,
    imageName: 'imported',
    parts: [{ siteId, state: 'queued', bytesTotal: 1024 }],
  });
});

test('an allow-list admits only its networks: metadata addresses stay refused', async () => {
  const response = await importUrl({ ...body, url: 'http://169.254.169.254/', sites: [siteId] });
  expect(response.statusCode).toBe(400);
  expect(response.json().error).toBe('import_url_refused');
});

test('content already known is reported, not imported again', async () => {
  const [image] = await env.query<{ id: string }>(
    `INSERT INTO images (owner_id, name, hash_algo, hash_value)
     SELECT owner_id, 'known', 'sha512', 'abc123' FROM sites WHERE id = $1 RETURNING id`,
    [siteId],
  );
  const before = await env.snapshot('jobs');
  const response = await importUrl({
    ...body,
    sites: [siteId],
    expectedHash: { algo: 'sha512', value: 'abc123' },
  });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toMatchObject({
    status: 'present',
    images: [{ id: image!.id, name: 'known' }],
  });
  expect(await env.snapshot('jobs')).toEqual(before);
});

test.each([
  ['an IPv4-compatible IPv6 form of loopback', 'http://[::7f00:1]/image.raw'],
  ['an IPv4-translated IPv6 form of loopback', 'http://[::ffff:0:7f00:1]/image.raw'],
  ['a local-use NAT64 form of the metadata address', 'http://[64:ff9b:1::a9fe:a9fe]/image.raw'],
  ['a 6to4 form of loopback', 'http://[2002:7f00:1::]/image.raw'],
  ["this host's own eth0 address", `http://${hostAddress()}/image.raw`],
])(
  'the import guard no longer lets through %s: refused before anything is queued',
  async (_what, url) => {
    const before = await env.snapshot('jobs');
    const response = await importUrl({ ...body, url, sites: [siteId] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'import_url_refused' });
    expect(response.json().message).toMatch(/GLINT_OUTBOUND_ALLOW/);
    expect(await env.snapshot('jobs')).toEqual(before);
  },
);

test("a network in the allow list does not open this host's own address", async () => {
  const own = hostAddress();
  const lenient = await env.start({ GLINT_OUTBOUND_ALLOW: `${own}/32,${outboundAllow()}` });
  const response = await lenient.inject({
    method: 'POST',
    url: '/api/v1/images/import',
    headers: user.headers,
    payload: { ...body, url: `http://${own}:6379/`, sites: [siteId] },
  });
  expect(response.statusCode).toBe(400);
  expect(response.json().message).toMatch(
    new RegExp(`the address ${own.replace(/\./g, '\\.')} is an address of this host's own`),
  );
});

describe('the import worker', () => {
  const images = new CloudImages();
  let worker: RunningWorker;

  beforeAll(async () => {
    worker = await startTransferWorker(env, allow);
  });

  afterAll(async () => {
    await worker?.close();
    const adapter = images.adapter(sandboxCloud(1));
    for await (const image of adapter.listImages({ name: `${run}-ok`, includeHidden: true }))
      await adapter.deleteImage(image.id);
    await images.close();
  });

  /** Imports and waits for the job to end; returns its row. */
  async function imported(path: string, extra: object = {}) {
    const response = await importUrl({
      ...body,
      url: `${base}${path}`,
      name: `${run}-ok`,
      sites: [siteId],
      ...extra,
    });
    expect(response.statusCode).toBe(202);
    const { jobId: queueJobId } = response.json<{ jobId: string }>();
    for (;;) {
      const [row] = await env.query<{
        state: string;
        error: string | null;
        bytes: number;
        total: number | null;
        attempts: number;
      }>(
        'SELECT state, error, bytes_done::int AS bytes, bytes_total::int AS total, attempts FROM jobs WHERE queue_job_id = $1',
        [queueJobId],
      );
      if (row!.state === 'succeeded' || row!.state === 'failed') return row!;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  test('fetches the URL and streams it to the site, verified and marked', async () => {
    // No size was given: the job's total is the one the source announced.
    expect(await imported('/image.raw')).toEqual({
      state: 'succeeded',
      error: null,
      bytes: size,
      total: size,
      attempts: 1,
    });
    const { sha512 } = await digestStream(randomImageStream(size, run));
    const copies = [];
    for await (const image of images.adapter(sandboxCloud(1)).listImages({
      name: `${run}-ok`,
      includeHidden: true,
    }))
      copies.push(image);
    expect(copies).toEqual([
      expect.objectContaining({ status: 'active', size, hashValue: sha512 }),
    ]);
    expect(copies[0]!.properties.glint_source_image).toBe(`${base}/image.raw`);
    const [job] = await server.queues.queue('import').getJobs(['completed']);
    expect(job!.progress).toMatchObject({
      bytesRead: size,
      destinations: [{ siteId, bytes: size }],
    });
  });

  test.each([
    ['/missing', {}, /404 Not Found/],
    ['/page', {}, /serves text\/html, not an image/],
    ['/image.raw', { expectedSize: size + 1 }, /bytes long, not the \d+ expected/],
  ])('%s fails with a clear error', async (path, extra, message) => {
    const row = await imported(path, extra);
    expect(row.state).toBe('failed');
    expect(row.error).toMatch(message);
  });

  test.each([
    ['file:///etc/passwd', /redirects to a file:\/\/ URL; Glint follows redirects only to http/],
    ['gopher://127.0.0.1:6379/_INFO', /redirects to a gopher:\/\/ URL/],
    ['http://127.0.0.1:6379/', /the address 127\.0\.0\.1 is a loopback address/],
  ])(
    'a redirect to %s fails the import at once, for good, with a clear message',
    async (target, message) => {
      const row = await imported(`/to/${target}`);
      expect(row).toMatchObject({ state: 'failed', attempts: 1 });
      expect(row.error).toMatch(message);
    },
  );
});
