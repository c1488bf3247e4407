/**
 * The matrix's release family rows in headless Chromium, against the real API and PostgreSQL: a
 * family of two versions on three sites, seeded straight into PostgreSQL (no rollout runs; what
 * a rollout leaves is in the rows), between two plain images by name. Screenshots go to
 * test-output/panel/.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import {
  login,
  testEnvironment,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { launchChromium, loggedInPage } from '../../../test-support/browser-page';
import { seriousViolations } from '../../../test-support/axe';

const screenshots = join(__dirname, '../../../test-output/panel');
let env: TestEnvironment;
let server: FastifyInstance;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/**
 * Sites a, b, c; family atlas-worker ("ATLAS worker") on a and b. Version 2 holds the name on a,
 * where version 1 is hidden; version 1 still holds it on b (2 is not there yet); c is no target
 * and holds a copy of 1 all the same. Two plain images, no version, on a: alpine-image sorts
 * before the family by name, plain-image after it; alpine-image is the newest image.
 */
async function seed(ownerId: string): Promise<void> {
  const [a, b, c] = await env.query<{ id: string }>(
    `INSERT INTO sites (owner_id, type, name, config)
     SELECT $1, 'openstack', 'site-' || c, jsonb_build_object('authUrl', 'http://' || c || '.example/v3', 'interface', 'public', 'region', 'r-' || c)
     FROM unnest(ARRAY['a', 'b', 'c']) c ORDER BY c RETURNING id`,
    [ownerId],
  );
  const image = async (name: string, hash: string) =>
    (
      await env.query<{ id: string }>(
        `INSERT INTO images (owner_id, name, hash_algo, hash_value, size, disk_format, container_format)
         VALUES ($1, $2, 'sha512', $3, 1048576, 'qcow2', 'bare') RETURNING id`,
        [ownerId, name, hash],
      )
    )[0]!.id;
  const copy = (imageId: string, site: string, name: string, hash: string, hidden = false) =>
    env.query(
      `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, hash_algo, hash_value,
         size, visibility, status, glint_content_hash, hidden, seen_at)
       VALUES ($1, $2, gen_random_uuid()::text, $3, $4, 'sha512', $5, 1048576, 'private', 'active',
               'sha512:' || $5, $6, now())`,
      [ownerId, site, imageId, name, hash, hidden],
    );
  const v1 = await image('ATLAS worker (1)', 'one');
  const v2 = await image('ATLAS worker', 'two');
  const plain = await image('plain-image', 'three');
  await copy(v1, a!.id, 'ATLAS worker (1)', 'one', true);
  await copy(v1, b!.id, 'ATLAS worker (1)', 'one');
  await copy(v1, c!.id, 'ATLAS worker (1)', 'one');
  await copy(v2, a!.id, 'ATLAS worker', 'two');
  await copy(plain, a!.id, 'plain-image', 'three');
  const alpine = await image('alpine-image', 'four');
  await copy(alpine, a!.id, 'alpine-image', 'four');
  const [family] = await env.query<{ id: string }>(
    `INSERT INTO release_families (owner_id, name, stable_name, sites)
     VALUES ($1, 'atlas-worker', 'ATLAS worker', $2) RETURNING id`,
    [ownerId, JSON.stringify({ ids: [a!.id, b!.id] })],
  );
  const [first, second] = await env.query<{ id: string }>(
    `INSERT INTO release_versions (owner_id, family_id, version, image_id, published_at)
     VALUES ($1, $2, '1', $3, '2026-11-01'), ($1, $2, '2', $4, '2026-12-01')
     RETURNING id`,
    [ownerId, family!.id, v1, v2],
  );
  await env.query(
    `INSERT INTO release_channels (owner_id, family_id, name, version_id) VALUES ($1, $2, 'latest', $3)`,
    [ownerId, family!.id, second!.id],
  );
  await env.query(
    `INSERT INTO release_version_sites (owner_id, version_id, site_id, stage)
     VALUES ($1, $2, $3, 'stable'), ($1, $4, $3, 'hidden'), ($1, $4, $5, 'stable')`,
    [ownerId, second!.id, a!.id, first!.id, b!.id],
  );
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  env = await testEnvironment();
  server = await env.start();
  const session = await login(server);
  const [project] = await env.query<{ id: string }>('SELECT id FROM projects');
  await seed(project!.id);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await loggedInPage(
    browser,
    base,
    session.cookie,
    { width: 1000, height: 420 },
    (message) => pageErrors.push(message),
  );
  await page.goto(base);
  await page.locator('.row.family').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const familyButton = () => page.locator('.row.family .toggle-row');
/** The rows' names top to bottom (the DOM keeps rows in the order they came). */
const names = async () =>
  (
    await page
      .locator('.row')
      .evaluateAll((rows) =>
        rows.map((row) => [
          Number(row.getAttribute('aria-rowindex')),
          row.querySelector('.name')?.textContent ?? '',
        ]),
      )
  )
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, name]) => name);
const focused = () =>
  page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.textContent ?? null;
  });

test('a family is one collapsed row saying which version holds the stable name on each site', async () => {
  expect(await familyButton().getAttribute('aria-expanded')).toBe('false');
  await page.locator('.count', { hasText: '4 images · 1 release family · 3 sites' }).waitFor();
  // Its versions are not rows of their own until it expands; other images are, as ever, and the
  // family sorts among them by its name.
  expect(await names()).toEqual(['alpine-image', '▸ atlas-worker', 'plain-image']);
  const cells = page.locator('.row.family .family-cell');
  expect(await cells.allInnerTexts()).toEqual([
    '2 · up to date',
    '1 · rolling out',
    '— · not a target',
  ]);
  expect(await cells.nth(1).getAttribute('data-rollout')).toBe('rolling-out');
  expect(await cells.nth(0).getAttribute('title')).toBe(
    'site-a: "ATLAS worker" is version 2; up to date',
  );
  expect(await page.locator('.row.family .size').innerText()).toBe('2 versions');
  await page.screenshot({ path: join(screenshots, 'matrix-family-collapsed.png') });
  expect(pageErrors).toEqual([]);
});

test('Enter on the family expands it to its versions, the hidden copy shown hidden; the state outlives a reload', async () => {
  // From a cell of the plain image, Up and Home reach the family's name by keyboard alone.
  await page.locator('.row:has(.name:text-is("plain-image")) .cell[data-col="0"]').focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Home');
  expect(await focused()).toBe('▸ atlas-worker');
  await page.keyboard.press('Enter');
  await page.locator('.row.family .toggle-row[aria-expanded="true"]').waitFor();
  await page.locator('.row.version .name', { hasText: '1 · ATLAS worker (1)' }).waitFor();
  expect(await names()).toEqual([
    'alpine-image',
    '▾ atlas-worker',
    '2 · ATLAS worker',
    '1 · ATLAS worker (1)',
    'plain-image',
  ]);
  const old = page.locator('.row.version:has(.name:text-is("1 · ATLAS worker (1)")) .cell');
  expect(await old.allInnerTexts()).toEqual(['present · hidden', 'present', 'present']);
  expect(await old.first().getAttribute('data-hidden')).toBe('true');
  await page.screenshot({ path: join(screenshots, 'matrix-family-expanded.png') });
  expect(await seriousViolations(page)).toEqual([]);

  await page.reload();
  await page.locator('.row.version .name', { hasText: '2 · ATLAS worker' }).waitFor();
  expect(await familyButton().getAttribute('aria-expanded')).toBe('true');

  // Space collapses it again, and so it stays.
  await familyButton().focus();
  await page.keyboard.press('Space');
  await page.locator('.row.family .toggle-row[aria-expanded="false"]').waitFor();
  await page.locator('.row.version').waitFor({ state: 'detached' });
  await page.reload();
  await page.locator('.row.family').waitFor();
  await page.locator('.row:has(.name:text-is("plain-image"))').waitFor();
  expect(await names()).toEqual(['alpine-image', '▸ atlas-worker', 'plain-image']);
  expect(pageErrors).toEqual([]);
});

test('a version row’s cell still toggles what is wanted, as any image row’s', async () => {
  await familyButton().click();
  const row = page.locator('.row.version:has(.name:text-is("2 · ATLAS worker"))');
  await row.locator('.cell[data-col="1"]').click();
  await row.locator('.cell.changed[data-col="1"]').waitFor();
  await page.locator('button.review', { hasText: 'Review 1 change' }).waitFor();
  // The family's own cells are summaries: a click there changes nothing.
  await page.locator('.row.family .family-cell').first().click();
  await page.locator('button.review', { hasText: 'Review 1 change' }).waitFor();
  await page.screenshot({ path: join(screenshots, 'matrix-family-version-ticked.png') });
  expect(pageErrors).toEqual([]);
});

/** The sort's choice in the toolbar, and the rows in that order once they came. */
async function sortBy(value: string, first: string): Promise<void> {
  await page.selectOption('select.sort', value);
  await page.locator(`.row[aria-rowindex="2"] .name:text-is("${first}")`).waitFor();
}

test('the family row takes its place in every sort, its versions under it in version order', async () => {
  await page.reload();
  await page.locator('.row:has(.name:text-is("plain-image"))').waitFor();
  if ((await familyButton().getAttribute('aria-expanded')) === 'true') await familyButton().click();
  await page.locator('.row.family .toggle-row[aria-expanded="false"]').waitFor();
  await page.screenshot({ path: join(screenshots, 'matrix-family-sorted-by-name.png') });
  await page.screenshot({ path: '/tmp/matrix-family-sorted-by-name.png' });

  await sortBy('-name', 'plain-image');
  expect(await names()).toEqual(['plain-image', '▸ atlas-worker', 'alpine-image']);
  // Expanded, its versions stay newest first under it, whichever way the names go.
  await familyButton().click();
  await page.locator('.row.version .name', { hasText: '1 · ATLAS worker (1)' }).waitFor();
  expect(await names()).toEqual([
    'plain-image',
    '▾ atlas-worker',
    '2 · ATLAS worker',
    '1 · ATLAS worker (1)',
    'alpine-image',
  ]);
  await page.screenshot({ path: '/tmp/matrix-family-sorted-by-name-desc-expanded.png' });
  // Newest first: the family goes by its newest version, seen before both plain images.
  await sortBy('-created', 'alpine-image');
  await page.locator('.row.version .name', { hasText: '1 · ATLAS worker (1)' }).waitFor();
  expect(await names()).toEqual([
    'alpine-image',
    'plain-image',
    '▾ atlas-worker',
    '2 · ATLAS worker',
    '1 · ATLAS worker (1)',
  ]);
  // The keyboard walks into and out of a family in the middle, row by row.
  await page.locator('.row:has(.name:text-is("plain-image")) .cell[data-col="0"]').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  expect(await focused()).toBe('▾ atlas-worker');
  await page.keyboard.press('Enter');
  await page.locator('.row.version').waitFor({ state: 'detached' });
  expect(await names()).toEqual(['alpine-image', 'plain-image', '▸ atlas-worker']);
  await sortBy('name', 'alpine-image');
  expect(await names()).toEqual(['alpine-image', '▸ atlas-worker', 'plain-image']);
  expect(pageErrors).toEqual([]);
});

test('a site’s header selects the site for the plain images only, the family collapsed or expanded', async () => {
  await page.reload();
  await page.locator('.row:has(.name:text-is("plain-image"))').waitFor();
  if ((await familyButton().getAttribute('aria-expanded')) === 'true') await familyButton().click();
  const column = page.locator('.toggle-column[data-col="2"]');
  expect(await column.getAttribute('title')).toMatch(
    /but release versions: their release places them/,
  );
  expect(await familyButton().getAttribute('title')).toMatch(/Its release places its versions/);
  const review = (changes: string) =>
    page.locator('button.review', { hasText: `Review ${changes}` }).waitFor();
  const versionCells = page.locator('.row.version .cell[data-col="2"]');

  // Collapsed: site c for alpine-image and plain-image; version 2, missing there, is left out.
  await page.locator('.row.family .toggle-row[aria-expanded="false"]').waitFor();
  await column.click();
  await review('2 changes');
  await familyButton().click();
  await page.locator('.row.version .name', { hasText: '1 · ATLAS worker (1)' }).waitFor();
  expect(await page.locator('.row.version .cell.changed').count()).toBe(0);
  expect(await versionCells.allInnerTexts()).toEqual(['missing', 'present']);
  // Expanded, the same: clearing the column takes back just those two changes.
  await column.click();
  await review('0 changes');
  await column.click();
  await review('2 changes');
  expect(await page.locator('.row.version .cell.changed').count()).toBe(0);
  await page
    .locator('.row:has(.name:text-is("plain-image")) .cell.changed[data-col="2"]')
    .waitFor();
  await page.screenshot({ path: '/tmp/matrix-family-column-selected.png' });
  await column.click();
  await review('0 changes');
  expect(pageErrors).toEqual([]);
});
