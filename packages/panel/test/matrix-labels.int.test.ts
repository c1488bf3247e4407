/**
 * The matrix's columns by site labels, and who placed each cell, in headless Chromium against the
 * real API and PostgreSQL. Sites and images are seeded straight into PostgreSQL (no copy runs):
 * a-prod and c-prod (tier=prod), b-dev (tier=dev), d-none (no tier); img-1 and img-2 on a-prod.
 * A standing rule (PUT /rules) wants img-* on tier=prod; img-2 is cleared by hand on c-prod.
 * Screenshots go to test-output/panel/.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { Matrix } from '@glint/api/replies';
import {
  applyPlacements,
  login,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { seriousViolations } from '../../../test-support/axe';
import { launchChromium, loggedInPage } from '../../../test-support/browser-page';

const screenshots = join(__dirname, '../../../test-output/panel');
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function seed(ownerId: string): Promise<void> {
  await env.query(
    `INSERT INTO sites (owner_id, type, name, config, labels)
     SELECT $1, 'openstack', s.name, jsonb_build_object('authUrl', 'http://' || s.name || '.example/v3', 'interface', 'public'), s.labels::jsonb
     FROM (VALUES ('a-prod', '{"tier": "prod"}'), ('b-dev', '{"tier": "dev"}'), ('c-prod', '{"tier": "prod", "zone": "b"}'),
                  ('d-none', '{}')) s (name, labels)`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO images (owner_id, name, hash_algo, hash_value, size)
     SELECT $1, n, 'sha512', md5(n), 1048576 FROM unnest(ARRAY['img-1', 'img-2']) n`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, hash_algo, hash_value,
       size, visibility, status, glint_content_hash, seen_at)
     SELECT $1, s.id, 'a-' || i.name, i.id, i.name, i.hash_algo, i.hash_value, i.size, 'private',
            'active', i.hash_algo || ':' || i.hash_value, now()
     FROM images i JOIN sites s ON s.owner_id = i.owner_id AND s.name = 'a-prod' WHERE i.owner_id = $1`,
    [ownerId],
  );
}

/** The rule, and img-2 cleared by hand on c-prod over it. */
async function placeByRuleAndHand(): Promise<void> {
  const saved = await server.inject({
    method: 'PUT',
    url: '/api/v1/rules/img-on-prod',
    headers: user.headers,
    payload: { images: { names: ['img-*'] }, sites: { labels: { tier: 'prod' } } },
  });
  expect(saved.statusCode).toBe(200);
  const matrix = (
    await server.inject({ url: '/api/v1/matrix', headers: user.headers })
  ).json<Matrix>();
  const site = matrix.columns.find((column) => column.name === 'c-prod')!.id;
  const image = matrix.rows.find((row) => row.name === 'img-2')!.id;
  await applyPlacements(server, user, [{ image, site, wanted: false }]);
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  env = await testEnvironment();
  server = await env.start();
  user = await login(server);
  const [project] = await env.query<{ id: string }>("SELECT id FROM projects WHERE name = 'demo'");
  await seed(project!.id);
  await placeByRuleAndHand();
  await server.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await loggedInPage(browser, base, user.cookie, { width: 1100, height: 700 }, (m) =>
    pageErrors.push(m),
  );
  await page.goto(base);
  await page.locator('.count', { hasText: '2 images · 4 sites' }).waitFor();
  await page.locator('.row .name', { hasText: 'img-2' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const headers = () => page.locator('.head .toggle-column > span:first-child').allInnerTexts();
const cellOf = (image: string, col: number) =>
  page.locator(`.row:has(.name:text-is("${image}")) .cell[data-col="${col}"]`);

test('a cell a rule placed says so, and one cleared by hand over the rule says that', async () => {
  expect(await headers()).toEqual(['a-prod', 'b-dev', 'c-prod', 'd-none']);
  const byRule = cellOf('img-1', 2);
  expect(await byRule.getAttribute('data-placed')).toBe('rule');
  expect(await byRule.getAttribute('title')).toMatch(
    /^c-prod: missing — .* · by rule img-on-prod$/,
  );
  expect(await byRule.getAttribute('aria-selected')).toBe('true');
  const byHand = cellOf('img-2', 2);
  expect(await byHand.getAttribute('data-placed')).toBe('override');
  expect(await byHand.getAttribute('title')).toContain(
    'ticked by hand, overriding rule img-on-prod',
  );
  expect(await byHand.getAttribute('aria-selected')).toBe('false');
  // Nobody's word on b-dev: no mark.
  expect(await cellOf('img-1', 1).getAttribute('data-placed')).toBeNull();
  // The focused cell's details say it too.
  await byHand.focus();
  await page
    .locator('.detail .placed', { hasText: 'ticked by hand, overriding rule img-on-prod' })
    .waitFor();
  // The marks are told apart by their edge, not by colour alone: the legend names them.
  const edge = (cell: typeof byRule) => cell.evaluate((el) => getComputedStyle(el).boxShadow);
  expect(await edge(byRule)).not.toBe(await edge(byHand));
  await page.locator('glint-matrix-legend').getByText('by a rule').waitFor();
  expect(pageErrors).toEqual([]);
});

test('grouping by a label orders the columns by its values under a band naming each group', async () => {
  expect(await page.locator('select.group-by option').allInnerTexts()).toEqual([
    'none',
    'tier',
    'zone',
  ]);
  await page.selectOption('select.group-by', 'tier');
  // The band shows at once, over the columns in their old order until the reply regroups them.
  await page.locator('.groups .group').first().filter({ hasText: 'tier=dev' }).waitFor();
  expect(await headers()).toEqual(['b-dev', 'a-prod', 'c-prod', 'd-none']);
  const groups = await page.locator('.groups .group').evaluateAll((elements) =>
    elements.map((el) => ({
      text: el.textContent!.trim(),
      width: (el as HTMLElement).offsetWidth,
    })),
  );
  expect(groups).toEqual([
    { text: 'tier=dev', width: 132 },
    { text: 'tier=prod', width: 264 },
    { text: 'no tier', width: 132 },
  ]);
  // Each header names its group to screen readers; the cells moved with their columns.
  expect(await page.locator('.head .toggle-column').nth(1).innerText()).toContain('tier=prod');
  expect(await cellOf('img-1', 2).getAttribute('data-placed')).toBe('rule');
  expect(await cellOf('img-1', 2).getAttribute('title')).toMatch(/^c-prod: /);
  expect(await cellOf('img-1', 1).getAttribute('class')).toContain('group-start');
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: join(screenshots, 'matrix-grouped.png') });

  // A click wants the image on the site it shows, grouped or not.
  await cellOf('img-1', 3).click();
  await page.click('button.review');
  await page.locator('glint-plan-review .copies li').first().waitFor();
  expect(
    (await page.locator('glint-plan-review .copies li').allInnerTexts()).map((t) =>
      t.replace(/\s+/g, ' '),
    ),
  ).toEqual(['img-1 from a-prod to d-none (1.0 MiB)']);
  await page.click('glint-plan-review button.cancel');
  await cellOf('img-1', 3).click();
  await page.locator('button.review', { hasText: 'Review 0 changes' }).waitFor();
  expect(pageErrors).toEqual([]);
});

test('the label filter shows only the sites carrying its labels; a malformed one is refused', async () => {
  await page.fill('input.label-filter', 'tier=prod');
  await page.press('input.label-filter', 'Enter');
  await page.locator('.count', { hasText: '2 images · 2 sites' }).waitFor();
  expect(await headers()).toEqual(['a-prod', 'c-prod']);
  await page.fill('input.label-filter', 'tier=prod, zone=b');
  await page.press('input.label-filter', 'Enter');
  await page.locator('.count', { hasText: '2 images · 1 site' }).waitFor();
  expect(await headers()).toEqual(['c-prod']);
  await page.screenshot({ path: join(screenshots, 'matrix-label-filter.png') });

  await page.fill('input.label-filter', 'tier');
  await page.press('input.label-filter', 'Enter');
  expect(await page.locator('input.label-filter').getAttribute('aria-invalid')).toBe('true');
  expect(await headers()).toEqual(['c-prod']);
  await page.fill('input.label-filter', '');
  await page.press('input.label-filter', 'Enter');
  await page.locator('.count', { hasText: '2 images · 4 sites' }).waitFor();
  expect(pageErrors).toEqual([]);
});

test('a cell decided by hand over a rule is given back to it through the plan review', async () => {
  const byHand = page.locator('.row:has(.name:text-is("img-2")) .cell[title^="c-prod:"]');
  expect(await byHand.getAttribute('data-placed')).toBe('override');
  await byHand.focus();
  const giveBack = page.locator('.detail button.give-back');
  expect(await giveBack.innerText()).toBe('Give back to rule img-on-prod');
  await giveBack.click();
  // Shown wanted while pending: the rule wants it.
  expect(await byHand.getAttribute('aria-selected')).toBe('true');
  await page.locator('glint-plan-review .given-back').waitFor();
  expect(await page.locator('glint-plan-review .given-back').innerText()).toBe(
    '1 cell given back to the rules.',
  );
  expect(
    (await page.locator('glint-plan-review .copies li').allInnerTexts()).map((t) =>
      t.replace(/\s+/g, ' '),
    ),
  ).toEqual(['img-2 from a-prod to c-prod (1.0 MiB)']);
  await page.screenshot({ path: join(screenshots, 'matrix-give-back.png') });

  await page.click('glint-plan-review button.apply');
  await page.locator('glint-plan-review').waitFor({ state: 'detached' });
  await page
    .locator('.row:has(.name:text-is("img-2")) .cell[title^="c-prod:"][data-placed="rule"]')
    .waitFor();
  expect(await byHand.getAttribute('title')).toMatch(/ · by rule img-on-prod$/);
  await byHand.focus();
  await page.locator('.detail .placed', { hasText: 'by rule img-on-prod' }).waitFor();
  expect(await giveBack.count()).toBe(0);
  const matrix = (
    await server.inject({ url: '/api/v1/matrix', headers: user.headers })
  ).json<Matrix>();
  const site = matrix.columns.find((column) => column.name === 'c-prod')!.id;
  const cell = matrix.rows
    .find((row) => row.name === 'img-2')!
    .cells.find((c) => c.siteId === site)!;
  expect(cell).toMatchObject({ wanted: true, placedBy: { kind: 'rule', rule: 'img-on-prod' } });
  expect(pageErrors).toEqual([]);
});
