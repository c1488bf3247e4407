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

test('a hidden image (os_hidden) is present and hidden, and no delete or prune touches it as Glint did not make it', async () => {
  const old = await images.seed(cloud1, `${run}-old`, `${run}-d`);
  await images.hide(cloud1, old.id);
  await refresh();
  const cell = cellOf(await matrix(), `${run}-old`, old.hashValue, 'one');
  expect(cell).toMatchObject({ state: 'unmanaged', hidden: true, cloudImageId: old.id });
  // A visible copy says nothing of hiding.
  expect(cellOf(await matrix(), `${run}-managed`, managed2.hashValue, 'two')).not.toHaveProperty(
    'hidden',
  );

  const row = (await matrix()).rows.find((r) => r.name === `${run}-old`)!;
  const plan = await server.inject({
    method: 'POST',
    url: '/api/v1/plan',
    headers: user.headers,
    payload: { changes: [{ image: row.id, site: site.one, wanted: false }], force: true },
  });
  expect(plan.statusCode).toBe(200);
  expect(plan.json()).toMatchObject({
    deletes: [],
    refusals: [expect.objectContaining({ reason: 'hidden_not_placed' })],
  });
  // Were the cell unwanted all the same (a pruning rule's, say), it is no drift to prune.
  const [owner] = await env.query<{ owner_id: string }>(
    'SELECT owner_id FROM sites WHERE id = $1',
    [site.one],
  );
  await env.query(
    `INSERT INTO placements (owner_id, image_id, site_id, wanted, self_heal, source)
     VALUES ($1, $2, $3, false, 'restore-and-prune', 'hand')`,
    [owner!.owner_id, row.id, site.one],
  );
  expect(cellOf(await matrix(), `${run}-old`, old.hashValue, 'one')).not.toHaveProperty('drift');
  // Nor does a standing rule whose names match it copy it elsewhere, where it would be visible.
  const rule = await server.inject({
    method: 'POST',
    url: '/api/v1/rules/olds/preview',
    headers: user.headers,
    payload: {
      images: { names: [`${run}-old`, `${run}-managed`] },
      sites: { ids: [site.one, site.two] },
    },
  });
  expect(rule.statusCode).toBe(200);
  expect(rule.json().copies.map((c: { imageName: string }) => c.imageName)).toEqual([
    `${run}-managed`,
  ]);
  expect(await server.repositories.placements.drifted(owner!.owner_id)).not.toContainEqual(
    expect.objectContaining({ imageId: row.id }),
  );
});

test('rows that are a release’s versions name it, and group under their family with the stable name per site', async () => {
  const v1 = await images.seed(cloud1, `${run}-v1`, `${run}-v1`);
  await images.seed(cloud2, `${run}-v1`, `${run}-v1`);
  const v2 = await images.seed(cloud1, `${run}-v2`, `${run}-v2`);
  // The older version is hidden where the newer one took the name, as a release leaves it.
  await images.hide(cloud1, v1.id);
  await refresh();
  const rowIds = Object.fromEntries(
    (await matrix()).rows.map((r) => [r.name.slice(run.length + 1), r.id]),
  );
  const [owner] = await env.query<{ owner_id: string }>(
    'SELECT owner_id FROM sites WHERE id = $1',
    [site.one],
  );
  const ownerId = owner!.owner_id;
  const [family] = await env.query<{ id: string }>(
    `INSERT INTO release_families (owner_id, name, stable_name, sites)
     VALUES ($1, $2, 'ATLAS worker', $3) RETURNING id`,
    [ownerId, run, JSON.stringify({ ids: [site.one, site.two] })],
  );
  const version = async (name: string, imageId: string, at: string) =>
    (
      await env.query<{ id: string }>(
        `INSERT INTO release_versions (owner_id, family_id, version, image_id, published_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [ownerId, family!.id, name, imageId, at],
      )
    )[0]!.id;
  const first = await version('1', rowIds.v1!, '2026-11-01T00:00:00Z');
  const second = await version('2', rowIds.v2!, '2026-12-01T00:00:00Z');
  await env.query(
    `INSERT INTO release_channels (owner_id, family_id, name, version_id) VALUES ($1, $2, 'latest', $3)`,
    [ownerId, family!.id, second],
  );
  await env.query(
    `INSERT INTO release_version_sites (owner_id, version_id, site_id, stage, cloud_image_id)
     VALUES ($1, $2, $3, 'stable', $4), ($1, $5, $3, 'hidden', $6), ($1, $5, $7, 'stable', null)`,
    [ownerId, second, site.one, v2.id, first, v1.id, site.two],
  );

  const all = await matrix();
  const v1Row = all.rows.find((r) => r.id === rowIds.v1)!;
  expect(v1Row.release).toEqual({
    familyId: family!.id,
    family: run,
    versionId: first,
    version: '1',
  });
  expect(all.rows.find((r) => r.id === rowIds.old)!.release).toBeNull();
  // The older version's copy that took a back seat is hidden, not gone.
  expect(cellOf(all, `${run}-v1`, v1.hashValue, 'one')).toMatchObject({ hidden: true });
  const summary = {
    id: family!.id,
    name: run,
    stableName: 'ATLAS worker',
    target: { versionId: second, version: '2' },
    halted: null,
    rows: 2,
    sites: [
      { siteId: site.one, stable: { versionId: second, version: '2' }, rollout: 'current' },
      { siteId: site.two, stable: { versionId: first, version: '1' }, rollout: 'rolling-out' },
    ],
  };
  expect(all.families).toEqual([summary]);

  // Grouped: the versions leave the rows (and the total) for their family row, on every page.
  const grouped = await matrix('&group=family&limit=1&offset=1');
  // The family's name (the run's) sorts before every image's (the run's and more): first.
  expect(grouped.families).toEqual([{ ...summary, at: 0 }]);
  expect(grouped.page.total).toBe(all.page.total - 2);
  const groupedAll = await matrix('&group=family');
  expect(groupedAll.rows.map((r) => r.id)).not.toEqual(
    expect.arrayContaining([rowIds.v1, rowIds.v2]),
  );
  // A family's rows go newest version first, whatever the sort.
  const versions = await matrix(`&family=${family!.id}`);
  expect(versions.rows.map((r) => r.release?.version)).toEqual(['2', '1']);
  const reversed = await matrix(`&family=${family!.id}&sort=-name`);
  expect(reversed.rows.map((r) => r.release?.version)).toEqual(['2', '1']);

  await env.query('UPDATE release_versions SET halted_reason = $2 WHERE id = $1', [
    second,
    'a wave failed',
  ]);
  const halted = (await matrix('&group=family')).families[0]!;
  expect(halted.halted).toBe('a wave failed');
  expect(halted.sites.map((s) => s.rollout)).toEqual(['current', 'halted']);
  const bad = await server.inject({
    method: 'GET',
    url: '/api/v1/matrix?group=site',
    headers: { cookie: user.cookie },
  });
  expect(bad.statusCode).toBe(400);
  expect(bad.json()).toMatchObject({ message: expect.stringMatching(/group/) });
});

test('grouped, a family row takes its place in each sort among the image rows, on every page', async () => {
  // Named to sort between the run's images: managed < (the family) < old < plain.
  await env.query('UPDATE release_families SET name = $2 WHERE name = $1', [run, `${run}-n`]);
  const place = async (sort: string) => {
    const grouped = await matrix(`&group=family&sort=${sort}`);
    const rows = grouped.rows.map((r) => r.name.slice(run.length + 1));
    const at = grouped.families[0]!.at!;
    return [...rows.slice(0, at), 'FAMILY', ...rows.slice(at)];
  };
  expect(await place('name')).toEqual(['managed', 'FAMILY', 'old', 'plain', 'plain']);
  expect(await place('-name')).toEqual(['plain', 'plain', 'old', 'FAMILY', 'managed']);
  // By size, its newest version's (v2, 64 KiB): ties go by name, as any row's.
  expect(await place('size')).toEqual(['plain', 'FAMILY', 'old', 'plain', 'managed']);
  // Newest first: v1 and v2 were seen last, after every other image (seen in one refresh or two,
  // in whichever order its sites' inventories ran).
  expect((await place('-created')).indexOf('FAMILY')).toBe(0);
  expect((await place('created')).indexOf('FAMILY')).toBe(4);
  // By copies, its newest version's: v2 is on one site (v1, on two, would put it first).
  expect(await place('-copies')).toEqual(['managed', 'FAMILY', 'old', 'plain', 'plain']);
  // The place counts rows of the whole list: the same on a page that does not hold them.
  const page = await matrix('&group=family&sort=-name&limit=1&offset=3');
  expect(page.families.map((f) => f.at)).toEqual([3]);
  // Not grouped, families are by name and have no place.
  expect((await matrix()).families[0]).not.toHaveProperty('at');
});
