import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { GLINT_MARKERS } from '@glint/core';
import { sandboxCloud } from '../../../test-support/sandbox';
import { digestStream, randomImageStream } from '../../../test-support/random-image';
import { CloudImages } from '../../../test-support/cloud-images';
import { refreshAll, startInventoryWorker } from '../../../test-support/inventory-worker';
import {
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const run = `up-${randomBytes(4).toString('hex')}`;
const size = 3 * 1024 * 1024 + 17;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two', string>;

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2 }));
});

afterAll(async () => {
  for (const index of [1, 2]) {
    const adapter = images.adapter(sandboxCloud(index));
    for await (const image of adapter.listImages())
      if (image.name.startsWith(run)) await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  await env?.close();
});

const upload = (query: string, seed: string, length = size) =>
  server.inject({
    method: 'POST',
    url: `/api/v1/images/upload?${query}`,
    headers: { ...user.headers, 'content-type': 'application/octet-stream' },
    payload: randomImageStream(length, seed),
  });

test('an uploaded file is streamed to every chosen site, verified and marked', async () => {
  const response = await upload(
    `site=${site.one}&site=${site.two}&name=${run}-a&diskFormat=raw&size=${size}`,
    run,
  );
  expect(response.statusCode).toBe(201);
  const { sha512 } = await digestStream(randomImageStream(size, run));
  const body = response.json();
  expect(body).toMatchObject({ bytes: size, contentHash: { algo: 'sha512', value: sha512 } });
  expect(body.sites.map((s: { outcome: string }) => s.outcome)).toEqual(['copied', 'copied']);
  for (const [index, { cloudImageId }] of body.sites.entries()) {
    const image = await images.adapter(sandboxCloud(index + 1)).getImage(cloudImageId);
    expect(image).toMatchObject({ status: 'active', size, hashValue: sha512 });
    expect(image.properties[GLINT_MARKERS.contentHash]).toBe(`sha512:${sha512}`);
    expect(image.properties[GLINT_MARKERS.sourceSite]).toBe('upload');
  }
  expect(
    await env.query(`SELECT operation, state, bytes_done::int AS bytes FROM jobs ORDER BY 1`),
  ).toEqual([
    { operation: 'upload', state: 'succeeded', bytes: size },
    { operation: 'upload', state: 'succeeded', bytes: size },
  ]);
  // One upload job, named for the image it made, with a part per site.
  const { jobs } = (
    await server.inject({ url: '/api/v1/jobs?operation=upload', headers: { cookie: user.cookie } })
  ).json();
  expect(jobs).toEqual([
    expect.objectContaining({
      operation: 'upload',
      state: 'succeeded',
      imageName: `${run}-a`,
      parts: [
        expect.objectContaining({ siteName: 'one', bytesDone: size, bytesTotal: size }),
        expect.objectContaining({ siteName: 'two', bytesDone: size, bytesTotal: size }),
      ],
    }),
  ]);
});

test("an uploaded image's details: hash, formats, size, and each site's copy and state", async () => {
  const inventory = await startInventoryWorker(env);
  try {
    await refreshAll(server, user);
  } finally {
    await inventory.close();
  }
  const matrix = await server.inject({
    method: 'GET',
    url: `/api/v1/matrix?name=${run}-a`,
    headers: { cookie: user.cookie },
  });
  const imageId = matrix.json<{ rows: { id: string }[] }>().rows[0]!.id;
  const { sha512 } = await digestStream(randomImageStream(size, run));
  const response = await server.inject({
    method: 'GET',
    url: `/api/v1/images/${imageId}`,
    headers: { cookie: user.cookie },
  });
  expect(response.statusCode).toBe(200);
  const details = response.json();
  expect(details).toMatchObject({
    id: imageId,
    name: `${run}-a`,
    hash: { algo: 'sha512', value: sha512 },
    size,
    diskFormat: 'raw',
    containerFormat: 'bare',
    conflict: false,
  });
  expect(details.sites).toEqual(
    ['one', 'two'].map((name) => ({
      siteId: site[name as 'one' | 'two'],
      siteName: name,
      state: 'present',
      wanted: null,
      copies: [
        expect.objectContaining({
          status: 'active',
          size,
          visibility: 'private',
          protected: false,
          hash: { algo: 'sha512', value: sha512 },
          checksum: expect.stringMatching(/^[0-9a-f]{32}$/),
          glintSourceSite: 'upload',
          glintContentHash: `sha512:${sha512}`,
        }),
      ],
    })),
  );

  const unknown = await server.inject({
    method: 'GET',
    url: `/api/v1/images/${randomUUID()}`,
    headers: { cookie: user.cookie },
  });
  expect(unknown.statusCode).toBe(404);
  expect(unknown.json().error).toBe('image_not_found');
});

test('data of another length than announced is refused, and nothing is left on the site', async () => {
  const response = await upload(
    `site=${site.one}&name=${run}-b&diskFormat=raw&size=1000`,
    run,
    4096,
  );
  expect(response.statusCode).toBe(422);
  expect(response.json()).toMatchObject({
    error: 'upload_failed',
    message: expect.stringMatching(/4096 bytes arrived, 1000/),
  });
  const left = [];
  for await (const image of images.adapter(sandboxCloud(1)).listImages({ name: `${run}-b` }))
    left.push(image);
  expect(left).toEqual([]);
});

test('an upload to a site that is not yours reads nothing and writes nothing', async () => {
  const before = await env.snapshot('jobs');
  const response = await upload(`site=${randomUUID()}&name=${run}-c&diskFormat=raw`, run, 1024);
  expect(response.statusCode).toBe(404);
  expect(response.json().error).toBe('site_not_found');
  expect(await env.snapshot('jobs')).toEqual(before);
});
