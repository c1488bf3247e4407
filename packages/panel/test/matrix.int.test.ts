/**
 * The matrix's selection, sorting and filters in headless Chromium, against the real API and
 * PostgreSQL. The rows are seeded straight into PostgreSQL (these are UI-state tests, no copy runs):
 * 150 images (more than the panel's first page of 100) on three sites. Screenshots go to
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

const screenshots = join(__dirname, '../../../test-output/panel');
const imageCount = 150;
let env: TestEnvironment;
let server: FastifyInstance;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** Sites a, b, c; images img-000…img-149 of growing size, on site a (every third one public). */
async function seed(ownerId: string): Promise<void> {
  await env.query(
    `INSERT INTO sites (owner_id, type, name, config)
     SELECT $1, 'openstack', 'site-' || c, jsonb_build_object('authUrl', 'http://' || c || '.example/v3', 'interface', 'public', 'region', 'r-' || c)
     FROM unnest(ARRAY['a', 'b', 'c']) c`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO images (owner_id, name, hash_algo, hash_value, size, disk_format, container_format)
     SELECT $1, 'img-' || lpad(n::text, 3, '0'), 'sha512', md5(n::text), (n + 1) * 1048576, 'raw', 'bare'
     FROM generate_series(0, $2 - 1) n`,
    [ownerId, imageCount],
  );
  // img-007 again with other content: both rows are in conflict.
  await env.query(
    `INSERT INTO images (owner_id, name, hash_algo, hash_value, size) VALUES ($1, 'img-007', 'sha512', 'other', 1)`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, hash_algo, hash_value, size,
       visibility, status, glint_content_hash, seen_at)
     SELECT $1, s.id, gen_random_uuid()::text, i.id, i.name, i.hash_algo, i.hash_value, i.size,
            CASE WHEN substr(i.name, 5)::int % 3 = 0 THEN 'public' ELSE 'private' END, 'active',
            i.hash_algo || ':' || i.hash_value, now()
     FROM images i JOIN sites s ON s.owner_id = i.owner_id AND s.name = 'site-a'
     WHERE i.owner_id = $1 AND i.hash_value <> 'other'`,
    [ownerId],
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
    { width: 1100, height: 800 },
    (message) => pageErrors.push(message),
  );
  await page.goto(base);
  await page.locator('.count', { hasText: `${imageCount + 1} images · 3 sites` }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });
const firstNames = async (n: number) =>
  (await page.locator('.row .name').allInnerTexts()).slice(0, n);
const rowNamed = (name: string) => page.locator(`.row:has(.name:text-is("${name}"))`);

test('the Image and Size headers sort, both ways, by click and by keyboard, and say so', async () => {
  const image = page.locator('[role="columnheader"]:has(.sort-name)');
  const size = page.locator('[role="columnheader"]:has(.sort-size)');
  expect(await image.getAttribute('aria-sort')).toBe('ascending');
  expect(await firstNames(3)).toEqual(['img-000', 'img-001', 'img-002']);

  await page.click('.sort-name');
  await page.locator('.row .name', { hasText: 'img-149' }).first().waitFor();
  expect(await image.getAttribute('aria-sort')).toBe('descending');
  expect(await firstNames(2)).toEqual(['img-149', 'img-148']);

  // Keyboard: the header row is part of the grid; Right to Size, Enter sorts by it.
  await page.locator('.sort-name').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await size.and(page.locator('[aria-sort="ascending"]')).waitFor();
  expect(await image.getAttribute('aria-sort')).toBe('none');
  // The conflicting img-007 of 1 byte is the smallest.
  await page.locator('.row .size', { hasText: /^1 B$/ }).waitFor();
  expect(await firstNames(2)).toEqual(['img-007', 'img-000']);
  await page.keyboard.press('Enter');
  await size.and(page.locator('[aria-sort="descending"]')).waitFor();
  await page.locator('.row .name', { hasText: 'img-149' }).first().waitFor();
  expect(await firstNames(1)).toEqual(['img-149']);
  await shot('matrix-sorted');

  await page.selectOption('select.sort', 'name');
  await image.and(page.locator('[aria-sort="ascending"]')).waitFor();
  await page.locator('.row .name', { hasText: 'img-000' }).first().waitFor();
  expect(pageErrors).toEqual([]);
});

test('the visibility and conflicts filters narrow the rows', async () => {
  await page.check('input.conflicts');
  await page.locator('.count', { hasText: '2 images' }).waitFor();
  expect(await firstNames(5)).toEqual(['img-007', 'img-007']);
  await shot('matrix-conflicts');
  await page.uncheck('input.conflicts');
  await page.selectOption('select.visibility', 'public');
  // img-000, img-003, …, img-147: every third.
  await page.locator('.count', { hasText: '50 images' }).waitFor();
  expect(await firstNames(3)).toEqual(['img-000', 'img-003', 'img-006']);
  await page.selectOption('select.visibility', '');
  await page.locator('.count', { hasText: `${imageCount + 1} images` }).waitFor();
  expect(pageErrors).toEqual([]);
});

test('an image’s name selects it on every site, and again clears it', async () => {
  const row = rowNamed('img-001');
  await row.locator('.toggle-row').click();
  await row.locator('.cell.changed[aria-selected="true"]').nth(1).waitFor();
  // Site a already holds it; b and c are the changes.
  expect(await row.locator('.cell.changed').count()).toBe(2);
  expect(await row.locator('.cell[aria-selected="true"]').count()).toBe(3);
  await page.locator('button.review', { hasText: 'Review 2 changes' }).waitFor();
  await page.click('button.review');
  const copies = page.locator('glint-plan-review .copies li');
  await copies.first().waitFor();
  expect((await copies.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '))).toEqual([
    expect.stringMatching(/^img-001 from site-a to (site-b, site-c|site-c, site-b) \(2\.0 MiB\)$/),
  ]);
  await shot('matrix-row-selected');
  // Now all three are wanted: the same click clears the row, site a included.
  await row.locator('.toggle-row').click();
  await row.locator('.cell.changed[aria-selected="false"]').first().waitFor();
  expect(await row.locator('.cell[aria-selected="true"]').count()).toBe(0);
  await page.locator('button.review', { hasText: 'Review 1 change' }).waitFor();
  // Site a wanted again is no change at all.
  await row.locator('.cell[data-col="0"]').click();
  await page.locator('button.review', { hasText: 'Review 0 changes' }).waitFor();
  expect(pageErrors).toEqual([]);
});

test('a site’s header selects it for every image the filter shows, beyond the pages loaded', async () => {
  await page.click('.toggle-column[data-col="1"]');
  // All 151 rows, though only the first page of 100 was loaded.
  await page.locator('button.review', { hasText: `Review ${imageCount + 1} changes` }).waitFor();
  await page.locator('.row .cell.changed[data-col="1"]').first().waitFor();
  await page.click('button.review');
  const items = page.locator('glint-plan-review li');
  await items.first().waitFor();
  const plan = (await items.allInnerTexts()).join('\n').replace(/[^\S\n]+/g, ' ');
  // 150 copies from site a; the second img-007 is nowhere, so it cannot be copied.
  expect(plan).toMatch(/img-000 from site-a to site-b/);
  expect(plan).toMatch(/img-149 from site-a to site-b/);
  expect(plan).toMatch(/img-007/);
  await shot('matrix-column-plan');

  // Under a filter, only the rows it passes: clear the column for the public ones.
  await page.click('glint-plan-review button.cancel');
  await page.selectOption('select.visibility', 'public');
  await page.locator('.count', { hasText: '50 images' }).waitFor();
  await page.click('.toggle-column[data-col="1"]');
  await page
    .locator('button.review', { hasText: `Review ${imageCount + 1 - 50} changes` })
    .waitFor();
  await page.selectOption('select.visibility', '');
  await page.locator('.count', { hasText: `${imageCount + 1} images` }).waitFor();
  // Keyboard: Enter on the focused header toggles the column: some are not wanted, so all become.
  await page.locator('.toggle-column[data-col="1"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('button.review', { hasText: `Review ${imageCount + 1} changes` }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('button.review', { hasText: 'Review 0 changes' }).waitFor();
  expect(pageErrors).toEqual([]);
});

test('the keyboard walks from a cell to its row header and the header row, and Space acts there', async () => {
  const row = rowNamed('img-002');
  await row.locator('.cell[data-col="1"]').focus();
  await page.keyboard.press('Space');
  await row.locator('.cell.changed[data-col="1"]').waitFor();
  await page.keyboard.press('Space');
  await row.locator('.cell[data-col="1"]:not(.changed)').waitFor();
  // Left past site a and the size, to the name: Space there is a click on the row's button.
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
  expect(
    await page.evaluate(() => {
      let active = document.activeElement;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
      return active?.className;
    }),
  ).toContain('toggle-row');
  await page.keyboard.press('Space');
  await page.locator('button.review', { hasText: 'Review 2 changes' }).waitFor();
  await shot('matrix-keyboard');
  await page.keyboard.press('Space');
  await page.locator('button.review', { hasText: 'Review 1 change' }).waitFor();
  // Up to the header row: the same column's header is the Image sort.
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Space');
  await page.locator('[role="columnheader"][aria-sort="descending"]:has(.sort-name)').waitFor();
  expect(pageErrors).toEqual([]);
});
