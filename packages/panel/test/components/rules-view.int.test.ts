/**
 * <glint-rules-view> on its own in Chromium against the real API and PostgreSQL, as the demo user
 * (an admin of project demo). Sites and images are seeded straight into PostgreSQL (no copy runs):
 * east and west (tier=prod); base-1 on both, base-2 and other on east. A new rule previews what it
 * implies as it is typed, is created, edited, and removed after its removal plan is shown; its
 * mistakes show beside their fields. Screenshots go to test-output/panel/.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { RemovalPlan, Rule } from '@glint/api/replies';
import {
  login,
  loginBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../../test-support/test-environment';
import { seriousViolations } from '../../../../test-support/axe';
import { launchChromium } from '../../../../test-support/browser-page';
import { componentPage } from '../../../../test-support/component-page';

const screenshots = join(__dirname, '../../../../test-output/panel');
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** The requests that changed something, as the page sent them. */
const changes: string[] = [];

interface Client {
  csrfToken: string | null;
  post<T>(path: string, body: unknown): Promise<T>;
}

async function seed(ownerId: string) {
  await env.query(
    `INSERT INTO sites (owner_id, type, name, config, labels)
     VALUES ($1, 'openstack', 'east', '{"authUrl": "http://east.example/v3", "interface": "public"}', '{}'),
            ($1, 'openstack', 'west', '{"authUrl": "http://west.example/v3", "interface": "public"}', '{"tier": "prod"}')`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO images (owner_id, name, hash_algo, hash_value, size)
     SELECT $1, n, 'sha512', md5(n), 1048576 FROM unnest(ARRAY['base-1', 'base-2', 'other']) n`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, hash_algo, hash_value,
       size, visibility, status, glint_content_hash, seen_at)
     SELECT $1, s.id, s.name || '-' || i.name, i.id, i.name, i.hash_algo, i.hash_value, i.size,
            'private', 'active', i.hash_algo || ':' || i.hash_value, now()
     FROM images i JOIN sites s ON s.owner_id = i.owner_id
     WHERE i.owner_id = $1 AND (s.name = 'east' OR i.name = 'base-1')`,
    [ownerId],
  );
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  env = await testEnvironment();
  server = await env.start();
  user = await login(server);
  const [project] = await env.query<{ id: string }>("SELECT id FROM projects WHERE name = 'demo'");
  await seed(project!.id);
  await server.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await componentPage(
    browser,
    pageErrors,
    `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
  );
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (request.method() !== 'GET' && !url.pathname.endsWith('/preview'))
      changes.push(`${request.method()} ${url.pathname}${url.search}`);
  });
  await page.evaluate(async (body) => {
    const glint = (
      window as unknown as { glint: { ApiClient: new (b: string, t: null) => Client } }
    ).glint;
    const client = new glint.ApiClient('', null);
    client.csrfToken = (await client.post<{ csrfToken: string }>('/auth/login', body)).csrfToken;
    const view = document.createElement('glint-rules-view') as HTMLElement & {
      client: Client;
      events: EventTarget;
      role: string;
    };
    Object.assign(view, { client, events: new EventTarget(), role: 'admin' });
    document.title = 'Rules';
    document.querySelector('main')!.append(view);
  }, loginBody('demo'));
  await view().getByText('No rules yet.').waitFor();
  changes.splice(0);
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const view = () => page.locator('glint-rules-view');
const form = () => page.locator('glint-rule-form');
const preview = () => form().locator('.preview');

async function storedRule(name: string): Promise<Rule | undefined> {
  const reply = await server.inject({ url: `/api/v1/rules/${name}`, headers: user.headers });
  return reply.statusCode === 200 ? reply.json<Rule>() : undefined;
}

test('a new rule previews what it implies as it is typed, and Create saves it', async () => {
  expect(await seriousViolations(page)).toEqual([]);
  await view().locator('button.add').click();
  await form().locator('input[name="name"]').fill('base-on-prod');
  await form().locator('input[name="description"]').fill('the base images on production');
  await form().locator('input[name="imageNames"]').fill('base-*');
  await form().locator('input[name="siteLabels"]').fill('tier=prod');
  // base-1 is on west already: only base-2 is to copy.
  await preview().getByText('1 copy', { exact: true }).waitFor();
  expect(await preview().locator('li').allInnerTexts()).toEqual(['+ copy base-2 to west']);
  expect(changes).toEqual([]);
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: join(screenshots, 'rules-new.png'), fullPage: true });

  await form().locator('button[type="submit"]').click();
  await view().locator('tr[data-rule="base-on-prod"]').waitFor();
  expect(changes).toEqual(['PUT /api/v1/rules/base-on-prod']);
  expect(await view().locator('.notice').innerText()).toBe(
    'Created rule base-on-prod: 1 copy and 0 deletes queued as Glint reconciles.',
  );
  expect(
    (await view().locator('tr[data-rule="base-on-prod"] td').allInnerTexts()).slice(0, 3),
  ).toEqual(['names base-*', 'labels tier=prod', 'no']);
  expect(await storedRule('base-on-prod')).toMatchObject({
    description: 'the base images on production',
    images: { names: ['base-*'] },
    sites: { labels: { tier: 'prod' } },
    prune: false,
  });
  changes.splice(0);
});

test('mistakes show beside their fields and send nothing', async () => {
  await view().locator('button.add').click();
  await form().locator('input[name="name"]').fill('Not A Slug');
  await form().locator('input[name="imageProperties"]').fill('os_distro');
  await form().locator('button[type="submit"]').click();
  await form().locator('[data-field="name"] .field-error').waitFor();
  await form().locator('input[name="name"]').fill('gpu');
  await form().locator('button[type="submit"]').click();
  await form().locator('[data-field="images"] .field-error').waitFor();
  expect(await form().locator('[data-field="images"] .field-error').innerText()).toContain(
    'property "os_distro" is not key=value',
  );
  await form().locator('input[name="imageProperties"]').fill('os_distro=ubuntu');
  await form().locator('button[type="submit"]').click();
  expect(await form().locator('[data-field="sites"] .field-error').innerText()).toContain(
    'choose sites',
  );
  // Labels the API refuses come back beside the sites.
  await form().locator('input[name="siteLabels"]').fill('Tier=prod');
  await form().locator('button[type="submit"]').click();
  await form()
    .locator('[data-field="sites"] .field-error', { hasText: 'label key "Tier" is not valid' })
    .waitFor();
  expect(changes).toEqual(['PUT /api/v1/rules/gpu']);
  expect(await storedRule('gpu')).toBeUndefined();
  changes.splice(0);
  await form().locator('button', { hasText: 'Cancel' }).click();
  expect(await form().count()).toBe(0);
});

test('Edit shows the rule as stored and saves it whole', async () => {
  await view().locator('tr[data-rule="base-on-prod"] button.edit').click();
  expect(await form().locator('input[name="imageNames"]').inputValue()).toBe('base-*');
  expect(await form().locator('input[name="siteLabels"]').inputValue()).toBe('tier=prod');
  expect(await form().locator('input[name="prune"]').isChecked()).toBe(false);
  await preview().getByText('1 copy', { exact: true }).waitFor();
  await form().locator('input[name="prune"]').check();
  await form().locator('button[type="submit"]').click();
  await view().getByText('Saved rule base-on-prod').waitFor();
  expect(changes).toEqual(['PUT /api/v1/rules/base-on-prod']);
  expect(await storedRule('base-on-prod')).toMatchObject({ prune: true });
  changes.splice(0);
});

test('Remove shows what the removal deletes, and confirms it', async () => {
  const plan = (
    await server.inject({
      url: '/api/v1/rules/base-on-prod/removal-plan',
      headers: user.headers,
    })
  ).json<RemovalPlan>();
  expect(plan.deletes.map((d) => `${d.imageName} ${d.siteName}`)).toEqual(['base-1 west']);
  await view().locator('tr[data-rule="base-on-prod"] button.remove').click();
  const confirm = view().locator('tr.confirm');
  await confirm.waitFor();
  expect(await confirm.locator('li').allInnerTexts()).toEqual(['− delete base-1 from west']);
  expect(await confirm.locator('p').first().innerText()).toContain('It prunes');
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: join(screenshots, 'rules-remove.png'), fullPage: true });

  await confirm.locator('button.keep').click();
  expect(await view().locator('tr.confirm').count()).toBe(0);
  await view().locator('tr[data-rule="base-on-prod"] button.remove').click();
  await view().locator('tr.confirm button.confirm-remove').click();
  await view().getByText('Removed rule base-on-prod.').waitFor();
  expect(changes).toEqual(['DELETE /api/v1/rules/base-on-prod?confirm=true']);
  expect(await storedRule('base-on-prod')).toBeUndefined();
  await view().getByText('No rules yet.').waitFor();
  expect(pageErrors).toEqual([]);
});
