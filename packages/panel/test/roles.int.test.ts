/**
 * The panel offers each caller only what their Keystone role lets them do, in headless Chromium
 * against the real API and the sandbox's Keystone: team-reader (reader on team-a) sees every view
 * with the changes disabled, each saying the role it needs; team-member (member there, as
 * GLINT_PROJECT_ADMIN_ROLES is Keystone's admin alone here) places, uploads and retries, but may
 * not change sites or rules. The project's rows are seeded straight into PostgreSQL: two sites, an
 * image on one, a failed copy to the other; its admin adds a rule. axe-core checks every tab. Screenshots go to test-output/panel/.
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
import { seriousViolations } from '../../../test-support/axe';
import { launchChromium, loggedInPage } from '../../../test-support/browser-page';

const screenshots = join(__dirname, '../../../test-output/panel');
let env: TestEnvironment;
let server: FastifyInstance;
let base: string;
let browser: Browser;

/** Sites near and far; an image on near, whose copy to far failed. */
async function seed(ownerId: string): Promise<void> {
  await env.query(
    `INSERT INTO sites (owner_id, type, name, config)
     SELECT $1, 'openstack', c, jsonb_build_object('authUrl', 'http://' || c || '.example/v3', 'interface', 'public')
     FROM unnest(ARRAY['near', 'far']) c`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO images (owner_id, name, hash_algo, hash_value, size) VALUES ($1, 'base', 'sha512', 'abc', 1048576)`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, hash_algo, hash_value, size,
       visibility, status, glint_content_hash, seen_at)
     SELECT $1, s.id, 'cloud-base', i.id, i.name, i.hash_algo, i.hash_value, i.size, 'private', 'active',
            'sha512:abc', now()
     FROM images i JOIN sites s ON s.owner_id = i.owner_id AND s.name = 'near' WHERE i.owner_id = $1`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, image_name, source_site_id,
                       destination_site_id, state, error, started_at, finished_at)
     SELECT $1, 'copy-seeded', 'copy', i.id, i.name, near.id, far.id, 'failed', 'far refused the upload',
            now(), now()
     FROM images i, sites near, sites far
     WHERE i.owner_id = $1 AND near.owner_id = $1 AND near.name = 'near' AND far.owner_id = $1 AND far.name = 'far'`,
    [ownerId],
  );
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  env = await testEnvironment();
  server = await env.start({ GLINT_PROJECT_ADMIN_ROLES: 'admin' });
  const admin = await login(server, 'team-admin', 'team-a');
  const [project] = await env.query<{ id: string }>(
    "SELECT id FROM projects WHERE name = 'team-a'",
  );
  await seed(project!.id);
  const rule = await server.inject({
    method: 'PUT',
    url: '/api/v1/rules/base-on-far',
    headers: admin.headers,
    payload: { images: { names: ['base'] }, sites: { labels: { tier: 'far' } } },
  });
  expect(rule.statusCode).toBe(200);
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** The standalone page, logged in as `user` to team-a, on the matrix with its rows drawn. */
async function pageOf(user: 'team-reader' | 'team-member', pageErrors: string[]): Promise<Page> {
  const session = await login(server, user, 'team-a');
  const page = await loggedInPage(
    browser,
    base,
    session.cookie,
    { width: 1100, height: 760 },
    (m) => pageErrors.push(m),
  );
  await page.goto(base);
  await page.locator('.count', { hasText: '1 image · 2 sites' }).waitFor();
  await page.locator('.row .name', { hasText: 'base' }).waitFor();
  return page;
}

async function openTab(page: Page, name: string) {
  await page.click(`[role="tab"]:text-is("${name}")`);
  await page.locator(`[role="tab"][aria-selected="true"]:text-is("${name}")`).waitFor();
}

/** A button's state as the user meets it: whether it may be pressed, and what its tooltip says. */
async function offered(page: Page, selector: string) {
  const button = page.locator(selector).first();
  await button.waitFor();
  return { enabled: await button.isEnabled(), title: await button.getAttribute('title') };
}

const readerNeeds = (role: string) => `Needs the ${role} role (your role here is reader)`;
const memberNeeds = (role: string) => `Needs the ${role} role (your role here is member)`;

test('a reader sees every view, and each change is disabled saying the role it needs', async () => {
  const pageErrors: string[] = [];
  const page = await pageOf('team-reader', pageErrors);
  await page.locator('.user').getByText('team-reader · team-a (reader)').waitFor();

  // The matrix: read-only; a click on a cell wants nothing, Review stays disabled.
  expect(await offered(page, '.review')).toEqual({ enabled: false, title: readerNeeds('member') });
  await page.locator('.read-only').waitFor();
  const far = page.locator('.row .cell[data-col="0"]').first();
  const selected = await far.getAttribute('aria-selected');
  await far.click();
  expect(await far.getAttribute('aria-selected')).toBe(selected);
  expect(await page.locator('.review').innerText()).toBe('Review 0 changes');
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: join(screenshots, 'roles-reader-matrix.png') });

  await openTab(page, 'Sites');
  const sites = page.locator('glint-sites-view');
  await sites.locator('tr[data-site="near"]').waitFor();
  expect(await offered(page, 'glint-sites-view button.add')).toEqual({
    enabled: false,
    title: readerNeeds('admin'),
  });
  for (const action of ['edit', 'remove'])
    expect(await offered(page, `glint-sites-view tr[data-site="near"] button.${action}`)).toEqual({
      enabled: false,
      title: readerNeeds('admin'),
    });
  expect(await offered(page, 'glint-sites-view button.refresh')).toEqual({
    enabled: false,
    title: readerNeeds('member'),
  });
  expect(await offered(page, 'glint-sites-view button.health-check')).toEqual({
    enabled: true,
    title: null,
  });
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: join(screenshots, 'roles-reader-sites.png') });

  await openTab(page, 'Rules');
  await page.locator('glint-rules-view tr[data-rule="base-on-far"]').waitFor();
  for (const selector of ['button.add', 'tr[data-rule="base-on-far"] button.remove'])
    expect(await offered(page, `glint-rules-view ${selector}`)).toEqual({
      enabled: false,
      title: readerNeeds('admin'),
    });
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: join(screenshots, 'roles-reader-rules.png') });

  await openTab(page, 'Images');
  await page.locator('glint-images-view .read-only').waitFor();
  expect(await page.locator('glint-images-view .read-only').innerText()).toContain(
    readerNeeds('member').toLowerCase(),
  );
  expect(await page.locator('glint-image-upload, glint-image-import').count()).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);

  await openTab(page, 'Jobs');
  expect(await offered(page, 'glint-jobs-view tr[data-job="copy-seeded"] button.retry')).toEqual({
    enabled: false,
    title: readerNeeds('member'),
  });
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: join(screenshots, 'roles-reader-jobs.png') });
  expect(pageErrors).toEqual([]);
  await page.context().close();
});

test('a member places, uploads and retries, but may not change sites', async () => {
  const pageErrors: string[] = [];
  const page = await pageOf('team-member', pageErrors);
  await page.locator('.user').getByText('team-member · team-a (member)').waitFor();

  expect(await page.locator('.read-only').count()).toBe(0);
  await page.locator('.row .cell[data-col="1"]').first().click();
  await page.locator('.review', { hasText: 'Review 1 change' }).waitFor();
  expect(await offered(page, '.review')).toEqual({ enabled: true, title: null });

  await openTab(page, 'Sites');
  await page.locator('glint-sites-view tr[data-site="far"]').waitFor();
  for (const selector of ['button.add', 'tr[data-site="far"] button.edit'])
    expect(await offered(page, `glint-sites-view ${selector}`)).toEqual({
      enabled: false,
      title: memberNeeds('admin'),
    });
  expect(await offered(page, 'glint-sites-view button.refresh')).toEqual({
    enabled: true,
    title: null,
  });
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: join(screenshots, 'roles-member-sites.png') });

  await openTab(page, 'Rules');
  expect(await offered(page, 'glint-rules-view tr[data-rule="base-on-far"] button.edit')).toEqual({
    enabled: false,
    title: memberNeeds('admin'),
  });

  await openTab(page, 'Images');
  await page.locator('glint-image-upload').waitFor();
  expect(await page.locator('glint-images-view .read-only').count()).toBe(0);

  await openTab(page, 'Jobs');
  expect(await offered(page, 'glint-jobs-view tr[data-job="copy-seeded"] button.retry')).toEqual({
    enabled: true,
    title: null,
  });
  expect(pageErrors).toEqual([]);
  await page.context().close();
});
