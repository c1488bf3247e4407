/**
 * Standing rules end to end: the API records them, the daemon's real workers (inventory, reconcile,
 * transfer, delete) carry them out, and the sandbox clouds' own Glance says what is where.
 */
import { randomBytes } from 'node:crypto';
import type { ImageInfo } from '@glint/cloud-adapters';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  startDeleteWorker,
  startInventoryWorker,
  startReconcileWorker,
  startTransferWorker,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  applyPlacements,
  siteBody,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { until } from '../../../test-support/until';
import type { Matrix } from '../src/schemas/matrix';

const run = `ru-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let workers: RunningWorker[] = [];
let site: Record<'one' | 'two', string>;
/** The site added with the label, on cloud 3. */
let atlasSite: string;

const atlasRule = {
  description: 'ATLAS images on every ATLAS site',
  images: { names: [`${run}-atlas-*`] },
  sites: { labels: { experiment: 'atlas' } },
  prune: true,
};

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2 }));
  await images.seed(sandboxCloud(1), `${run}-atlas-base`, `${run}-a`);
  await images.seed(sandboxCloud(1), `${run}-atlas-gpu`, `${run}-b`);
  await images.seed(sandboxCloud(1), `${run}-cms`, `${run}-c`);
  workers = await Promise.all([
    startInventoryWorker(env),
    startReconcileWorker(env),
    startTransferWorker(env),
    startDeleteWorker(env),
  ]);
  await refresh(site.one);
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  for (const index of [2, 3]) {
    const adapter = images.adapter(sandboxCloud(index));
    for (const copy of await onCloud(index)) await adapter.deleteImage(copy.id).catch(() => {});
  }
  await images.close();
  await env?.close();
});

const send = (method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  server.inject({ method, url, headers: user.headers, ...(payload && { payload }) });

/** Queues an inventory of the site (which reconciles after it) and waits until it ran. */
async function refresh(siteId: string): Promise<void> {
  expect((await send('POST', `/api/v1/sites/${siteId}/refresh`)).statusCode).toBe(202);
  const queue = server.queues.queue('inventory');
  await until(
    'the inventory',
    async () => (await queue.getJob(`inventory-${siteId}`)) === undefined,
  );
}

/** The test's images on a sandbox cloud, straight from its Glance, by name. */
async function onCloud(index: number): Promise<ImageInfo[]> {
  const found: ImageInfo[] = [];
  for await (const image of images.adapter(sandboxCloud(index)).listImages({ includeHidden: true }))
    if (image.name.startsWith(run)) found.push(image);
  return found;
}

const activeNames = async (index: number) =>
  (await onCloud(index))
    .filter((image) => image.status === 'active')
    .map((image) => image.name)
    .sort();

async function matrix(query = ''): Promise<Matrix> {
  const response = await send('GET', `/api/v1/matrix?name=${run}${query}`);
  expect(response.statusCode).toBe(200);
  return response.json<Matrix>();
}

const cellOn = (m: Matrix, imageName: string, siteId: string) =>
  m.rows.find((row) => row.name === imageName)!.cells.find((cell) => cell.siteId === siteId)!;

/** Waits until the matrix shows the copies Glint made as present: their jobs recorded them. */
const recorded = (siteId: string, names: string[]) =>
  until('the copies recorded', async () => {
    const m = await matrix();
    return names.every((name) => cellOn(m, name, siteId).state === 'present');
  });

test('a rule is saved with the plan it implies: nothing while no site carries its label', async () => {
  const saved = await send('PUT', '/api/v1/rules/atlas', atlasRule);
  expect(saved.statusCode).toBe(200);
  expect(saved.json()).toMatchObject({
    created: true,
    rule: { name: 'atlas', prune: true, images: atlasRule.images, sites: atlasRule.sites },
    plan: { copies: [], deletes: [] },
  });
  const listed = await send('GET', '/api/v1/rules');
  expect(listed.json().rules.map((rule: { name: string }) => rule.name)).toEqual(['atlas']);
  // A preview of a wider rule names every copy it would make, and saves nothing.
  const preview = await send('POST', '/api/v1/rules/atlas/preview', {
    ...atlasRule,
    sites: { ids: [site.two] },
  });
  expect(
    preview
      .json()
      .copies.map((c: { imageName: string }) => c.imageName)
      .sort(),
  ).toEqual([`${run}-atlas-base`, `${run}-atlas-gpu`]);
  expect((await send('GET', '/api/v1/rules/atlas')).json().sites).toEqual(atlasRule.sites);
});

test('bad rules and labels are 400s saying what is wrong', async () => {
  const badName = await send('PUT', '/api/v1/rules/Not_A_Slug', atlasRule);
  expect(badName.statusCode).toBe(400);
  expect(badName.json().message).toMatch(/must be a slug/);
  const badLabel = await send('PUT', '/api/v1/rules/x', {
    ...atlasRule,
    sites: { labels: { 'Bad Key': 'v' } },
  });
  expect(badLabel.statusCode).toBe(400);
  expect(badLabel.json()).toMatchObject({ error: 'invalid_labels' });
  const badSiteLabel = await send('PATCH', `/api/v1/sites/${site.two}`, {
    labels: { experiment: 'has space' },
  });
  expect(badSiteLabel.statusCode).toBe(400);
  expect(badSiteLabel.json().message).toMatch(/label value of "experiment" is not valid/);
  for (const glob of ['a\u0000b', 'x\udc00']) {
    const unstorable = await send('PUT', '/api/v1/rules/x', {
      ...atlasRule,
      images: { names: [glob] },
    });
    expect(unstorable.statusCode).toBe(400);
    expect(unstorable.json()).toMatchObject({ error: 'invalid_rule' });
  }
  const nulLabel = await send('GET', `/api/v1/matrix?label=${encodeURIComponent('a\u0000=b')}`);
  expect(nulLabel.statusCode).toBe(400);
  expect((await send('GET', '/api/v1/rules/none')).statusCode).toBe(404);
  expect((await send('GET', '/api/v1/rules')).json().rules).toHaveLength(1);
});

test('a site added with the label gets every image of the rule copied, seen on its own Glance', async () => {
  const created = await send('POST', '/api/v1/sites', {
    ...siteBody('atlas-three', sandboxCloud(3)),
    labels: { experiment: 'atlas' },
  });
  expect(created.statusCode).toBe(201);
  expect(created.json().labels).toEqual({ experiment: 'atlas' });
  atlasSite = created.json().id;
  // Placed by the rule at once, before any copy.
  const placed = cellOn(await matrix(), `${run}-atlas-base`, atlasSite);
  expect(placed).toMatchObject({ wanted: true, placedBy: { kind: 'rule', rule: 'atlas' } });
  expect(cellOn(await matrix(), `${run}-cms`, atlasSite).placedBy).toBeUndefined();

  // Its first inventory (the daemons' schedule would take it; the test asks at once) reconciles.
  await refresh(atlasSite);
  await until('the copies on cloud 3', async () => (await activeNames(3)).length === 2);
  expect(await activeNames(3)).toEqual([`${run}-atlas-base`, `${run}-atlas-gpu`]);
  await recorded(atlasSite, [`${run}-atlas-base`, `${run}-atlas-gpu`]);
  const filtered = await matrix('&label=experiment=atlas');
  expect(filtered.columns.map((column) => column.id)).toEqual([atlasSite]);
  expect(filtered.columns[0]!.labels).toEqual({ experiment: 'atlas' });
});

test('an image that appears later and matches is spread by the same rule', async () => {
  await images.seed(sandboxCloud(1), `${run}-atlas-new`, `${run}-d`);
  await refresh(site.one);
  await until('the new copy on cloud 3', async () =>
    (await activeNames(3)).includes(`${run}-atlas-new`),
  );
  expect(await activeNames(3)).toHaveLength(3);
  await recorded(atlasSite, [`${run}-atlas-new`]);
});

test('a hand "not here" overrides the rule: the copy goes, and the rule does not bring it back', async () => {
  const row = (await matrix()).rows.find((r) => r.name === `${run}-atlas-new`)!;
  const applied = await applyPlacements(server, user, [
    { image: row.id, site: atlasSite, wanted: false },
  ]);
  expect(applied.deletes).toHaveLength(1);
  await until('the copy deleted', async () => !(await activeNames(3)).includes(`${run}-atlas-new`));
  expect(cellOn(await matrix(), `${run}-atlas-new`, atlasSite).placedBy).toEqual({
    kind: 'hand',
    overrides: 'atlas',
  });
  // Another inventory and reconcile later, it is still gone.
  await refresh(atlasSite);
  await refresh(site.one);
  expect(await activeNames(3)).toEqual([`${run}-atlas-base`, `${run}-atlas-gpu`]);
  expect(cellOn(await matrix(), `${run}-atlas-new`, atlasSite).wanted).toBe(false);
});

test('a hand "not here" given back to the rule: placed by the rule again, and the copy comes back', async () => {
  const row = (await matrix()).rows.find((r) => r.name === `${run}-atlas-new`)!;
  const back = [{ image: row.id, site: atlasSite, wanted: null }];
  const mixed = await send('POST', '/api/v1/plan', {
    changes: [{ ...back[0], selfHeal: 'off' }],
  });
  expect(mixed.statusCode).toBe(400);
  expect(mixed.json()).toMatchObject({ error: 'invalid_change' });
  expect(mixed.json().message).toMatch(/leave selfHeal out/);
  const badSite = await send('POST', '/api/v1/plan', {
    changes: [{ ...back[0], site: '00000000-0000-4000-8000-000000000999' }],
  });
  expect(badSite.statusCode).toBe(404);

  const preview = await send('POST', '/api/v1/plan', { changes: back });
  expect(preview.statusCode).toBe(200);
  expect(preview.json()).toMatchObject({ givenBack: 1, deletes: [], refusals: [] });
  expect(preview.json().copies).toEqual([
    expect.objectContaining({ imageId: row.id, destinations: [atlasSite] }),
  ]);
  // A preview changes nothing.
  expect(cellOn(await matrix(), `${run}-atlas-new`, atlasSite).placedBy).toEqual({
    kind: 'hand',
    overrides: 'atlas',
  });

  const applied = await applyPlacements(server, user, back);
  expect(applied).toMatchObject({ givenBack: 1 });
  expect(applied.jobs.map((job) => job.operation)).toEqual(['copy']);
  // The rule decides the cell at once, before the copy lands.
  expect(cellOn(await matrix(), `${run}-atlas-new`, atlasSite)).toMatchObject({
    wanted: true,
    placedBy: { kind: 'rule', rule: 'atlas' },
  });
  await until('the copy back on cloud 3', async () =>
    (await activeNames(3)).includes(`${run}-atlas-new`),
  );
  await recorded(atlasSite, [`${run}-atlas-new`]);
  // Given back again, a cell the rules already decide is no change at all.
  const again = await applyPlacements(server, user, back);
  expect(again).toMatchObject({ givenBack: 0, copies: [], jobs: [] });
});

test('labels replace whole; a site that loses the label loses the rule’s wish', async () => {
  const labelled = await send('PATCH', `/api/v1/sites/${site.two}`, {
    labels: { experiment: 'atlas', tier: 'gold' },
  });
  expect(labelled.json().labels).toEqual({ experiment: 'atlas', tier: 'gold' });
  expect(cellOn(await matrix(), `${run}-atlas-base`, site.two).placedBy).toEqual({
    kind: 'rule',
    rule: 'atlas',
  });
  const relabelled = await send('PATCH', `/api/v1/sites/${site.two}`, { labels: { tier: 'gold' } });
  expect(relabelled.json().labels).toEqual({ tier: 'gold' });
  const cell = cellOn(await matrix(), `${run}-atlas-base`, site.two);
  // Pruned before any copy landed there, or its copy pruned: either way not wanted by the rule.
  expect(cell.wanted ?? false).toBe(false);
  await until(
    'nothing of the rule left on cloud 2',
    async () =>
      (await activeNames(2)).length === 0 &&
      (await env.query(`SELECT 1 FROM jobs WHERE state IN ('queued', 'running')`)).length === 0,
  );
});

test('removing a pruning rule plans its deletes and needs confirm; then they go', async () => {
  const plan = await send('GET', '/api/v1/rules/atlas/removal-plan');
  expect(plan.statusCode).toBe(200);
  expect(plan.json()).toMatchObject({ prune: true, copies: [] });
  const deletes = plan.json().deletes as { imageName: string; siteId: string }[];
  expect(deletes.map((cell) => [cell.imageName, cell.siteId]).sort()).toEqual([
    [`${run}-atlas-base`, atlasSite],
    [`${run}-atlas-gpu`, atlasSite],
    [`${run}-atlas-new`, atlasSite],
  ]);
  const unconfirmed = await send('DELETE', '/api/v1/rules/atlas');
  expect(unconfirmed.statusCode).toBe(409);
  expect(unconfirmed.json()).toMatchObject({
    error: 'rule_removal_unconfirmed',
    details: { deletes: expect.any(Array) },
  });
  expect((await send('GET', '/api/v1/rules/atlas')).statusCode).toBe(200);

  expect((await send('DELETE', '/api/v1/rules/atlas?confirm=true')).statusCode).toBe(204);
  await until('the rule’s copies deleted', async () => (await activeNames(3)).length === 0);
  expect((await send('GET', '/api/v1/rules')).json()).toEqual({ rules: [] });
  // The originals on cloud 1 were never the rule's: they stay.
  expect(await activeNames(1)).toHaveLength(4);
});

test('removing a rule without prune deletes nothing and says so', async () => {
  const keep = { ...atlasRule, prune: false, sites: { ids: [site.one] } };
  expect((await send('PUT', '/api/v1/rules/keep', keep)).statusCode).toBe(200);
  const plan = await send('GET', '/api/v1/rules/keep/removal-plan');
  expect(plan.json()).toMatchObject({ prune: false, deletes: [] });
  expect(plan.json().note).toMatch(/deletes nothing/);
  expect((await send('DELETE', '/api/v1/rules/keep')).statusCode).toBe(204);
});
