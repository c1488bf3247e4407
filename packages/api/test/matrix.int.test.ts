import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { GLINT_MARKERS } from '@glint/core';
import type { ImageInfo } from '@glint/cloud-adapters';
import { sandboxCloud } from '../../../test-support/sandbox';
import type { Matrix } from '../src/schemas/matrix';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  refreshAll,
  startInventoryWorker,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import {
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const run = `mx-${randomBytes(4).toString('hex')}`;
const cloud1 = sandboxCloud(1);
const cloud2 = sandboxCloud(2);
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let worker: RunningWorker | undefined;
let site: Record<'one' | 'two', string>;
let plain1: ImageInfo;
let plain2: ImageInfo;
let alias2: ImageInfo;
let managed2: ImageInfo;

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2 }));
  // The same name with other content on each cloud (a conflict), cloud1's content again under
  // another name on cloud2 (related), and on cloud2 an image carrying Glint's markers.
  plain1 = await images.seed(cloud1, `${run}-plain`, `${run}-a`);
  plain2 = await images.seed(cloud2, `${run}-plain`, `${run}-b`, {}, 32 * 1024);
  alias2 = await images.seed(cloud2, `${run}-alias`, `${run}-a`);
  managed2 = await images.seed(
    cloud2,
    `${run}-managed`,
    `${run}-c`,
    {
      [GLINT_MARKERS.sourceSite]: 'elsewhere',
      [GLINT_MARKERS.sourceImage]: 'b1c2',
    },
    128 * 1024,
  );
});

afterAll(async () => {
  await worker?.close();
  await images.close();
  await env?.close();
});

async function matrix(query = ''): Promise<Matrix> {
  const response = await server.inject({
    method: 'GET',
    url: `/api/v1/matrix?name=${run}${query}`,
    headers: { cookie: user.cookie },
  });
  expect(response.statusCode).toBe(200);
  return response.json<Matrix>();
}

const refresh = () => refreshAll(server, user);

function cellOf(m: Matrix, name: string, hash: string | null, siteKey: 'one' | 'two') {
  const row = m.rows.find((r) => r.name === name && (r.hash?.value ?? null) === hash);
  if (!row) throw new Error(`no row ${name} ${hash}`);
  return row.cells.find((c) => c.siteId === site[siteKey])!;
}

test('a refresh of a site queues one inventory job however often it is asked for', async () => {
  const refresh = () =>
    server.inject({
      method: 'POST',
      url: `/api/v1/sites/${site.one}/refresh`,
      headers: user.headers,
    });
  const first = await refresh();
  const second = await refresh();
  expect(first.statusCode).toBe(202);
  expect(second.json()).toEqual(first.json());
  expect(await server.queues.queue('inventory').getWaitingCount()).toBe(1);
});

test('after a refresh the matrix shows what the real clouds hold', async () => {
  worker = await startInventoryWorker(env);
  await refresh();
  const m = await matrix();
  expect(m.columns.map((c) => c.name)).toEqual(['one', 'two']);
  expect(m.rows.map((r) => r.name)).toEqual([
    `${run}-alias`,
    `${run}-managed`,
    `${run}-plain`,
    `${run}-plain`,
  ]);
  // Same name, different content: two rows, both in conflict, never merged.
  expect(cellOf(m, `${run}-plain`, plain1.hashValue, 'one')).toMatchObject({
    state: 'conflict',
    cloudImageId: plain1.id,
  });
  expect(cellOf(m, `${run}-plain`, plain1.hashValue, 'two').state).toBe('missing');
  expect(cellOf(m, `${run}-plain`, plain2.hashValue, 'two').state).toBe('conflict');
  // The same content under another name: related, and not made by Glint.
  const alias = m.rows.find((r) => r.name === `${run}-alias`)!;
  const plainRow = m.rows.find(
    (r) => r.hash?.value === plain1.hashValue && r.name.endsWith('plain'),
  )!;
  expect(alias.related).toEqual([plainRow.id]);
  expect(alias.conflict).toBe(false);
  expect(cellOf(m, `${run}-alias`, alias2.hashValue, 'two').state).toBe('unmanaged');
  expect(cellOf(m, `${run}-managed`, managed2.hashValue, 'two').state).toBe('present');
  expect(cellOf(m, `${run}-managed`, managed2.hashValue, 'one').state).toBe('missing');
});

test('the matrix filters conflicts and visibility, and pages', async () => {
  expect((await matrix('&conflicts=true')).rows.map((r) => r.name)).toEqual([
    `${run}-plain`,
    `${run}-plain`,
  ]);
  expect((await matrix('&visibility=public')).rows).toEqual([]);
  const page = await matrix('&limit=1&offset=1');
  expect(page.rows.map((r) => r.name)).toEqual([`${run}-managed`]);
  expect(page.page).toEqual({ offset: 1, limit: 1, total: 4 });
});

test('the matrix sorts by size, name, created and copies, both ways, with ties broken the same on every page', async () => {
  const order = async (sort: string) =>
    (await matrix(`&sort=${sort}`)).rows.map((r) => `${r.name.slice(run.length + 1)} ${r.size}`);
  const KiB = 1024;
  expect(await order('size')).toEqual([
    `plain ${32 * KiB}`,
    `alias ${64 * KiB}`,
    `plain ${64 * KiB}`,
    `managed ${128 * KiB}`,
  ]);
  // Descending flips the key only: equal sizes still go by name A to Z.
  expect(await order('-size')).toEqual([
    `managed ${128 * KiB}`,
    `alias ${64 * KiB}`,
    `plain ${64 * KiB}`,
    `plain ${32 * KiB}`,
  ]);
  expect((await order('-name')).map((r) => r.split(' ')[0])).toEqual([
    'plain',
    'plain',
    'managed',
    'alias',
  ]);
  const all = await matrix('&sort=created');
  const created = all.rows.map((r) => Date.parse(r.createdAt));
  expect(created).toEqual([...created].sort((x, y) => x - y));
  // Every image is on one site: all ties, so the pages must still split the rows without overlap.
  const copies = await matrix('&sort=-copies');
  expect(copies.rows.map((r) => r.copies)).toEqual([1, 1, 1, 1]);
  const paged = [];
  for (let offset = 0; offset < 4; offset++)
    paged.push(...(await matrix(`&sort=-copies&limit=1&offset=${offset}`)).rows.map((r) => r.id));
  expect(paged).toEqual(copies.rows.map((r) => r.id));
  expect(new Set(paged).size).toBe(4);

  const bad = await server.inject({
    method: 'GET',
    url: '/api/v1/matrix?sort=colour',
    headers: { cookie: user.cookie },
  });
  expect(bad.statusCode).toBe(400);
  expect(bad.json()).toMatchObject({
    error: expect.any(String),
    message: expect.stringMatching(/sort/),
  });
});

test('the matrix reads again just the rows asked for by id, as the panel does after an event', async () => {
  const all = await matrix();
  const [alias, managed] = all.rows;
  const one = await matrix(`&image=${managed!.id}`);
  expect(one.rows).toEqual([managed]);
  expect(one.page.total).toBe(1);
  const two = await matrix(`&image=${managed!.id}&image=${alias!.id}`);
  expect(two.rows.map((r) => r.id)).toEqual([alias!.id, managed!.id]);
});

test('an image removed from a cloud leaves the matrix after the next refresh', async () => {
  await images.remove(cloud2, alias2.id);
  await refresh();
  const m = await matrix();
  expect(m.rows.map((r) => r.name)).not.toContain(`${run}-alias`);
  expect(
    await env.query('SELECT 1 FROM site_images WHERE cloud_image_id = $1', [alias2.id]),
  ).toEqual([]);
});
