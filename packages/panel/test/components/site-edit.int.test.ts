/**
 * <glint-site-edit> on its own in Chromium against the real API and a sandbox cloud: it shows the
 * site's name, self-heal, labels and who logs in; Save sends only what changed (nothing at all when nothing
 * did) and fires `site-changed` with the API's site; a wrong new password shows beside the password
 * field and changes nothing; Cancel fires `edit-cancelled`.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { Site } from '@glint/api/replies';
import {
  addSandboxSites,
  login,
  loginBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../../test-support/test-environment';
import { launchChromium } from '../../../../test-support/browser-page';
import { componentPage } from '../../../../test-support/component-page';
import { seriousViolations } from '../../../../test-support/axe';
import { sandboxCloud } from '../../../../test-support/sandbox';

const screenshots = join(__dirname, '../../../../test-output/panel');
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let siteId: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** The requests that changed something, as the page sent them. */
const changes: string[] = [];

interface Client {
  csrfToken: string | null;
  post<T>(path: string, body: unknown): Promise<T>;
  get<T>(path: string): Promise<T>;
}

interface Window {
  fired: { type: string; site?: Site }[];
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  env = await testEnvironment();
  server = await env.start();
  user = await login(server);
  ({ one: siteId } = await addSandboxSites(server, user, { one: 1 }));
  await server.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await componentPage(
    browser,
    pageErrors,
    `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
  );
  page.on('request', (request) => {
    if (request.method() !== 'GET')
      changes.push(`${request.method()} ${new URL(request.url()).pathname}`);
  });
  await page.evaluate(async (body) => {
    const glint = (
      window as unknown as { glint: { ApiClient: new (b: string, t: null) => Client } }
    ).glint;
    const client = new glint.ApiClient('', null);
    client.csrfToken = (await client.post<{ csrfToken: string }>('/auth/login', body)).csrfToken;
    const fired: Window['fired'] = [];
    document.body.addEventListener('site-changed', (event) =>
      fired.push({ type: 'site-changed', site: (event as CustomEvent<Site>).detail }),
    );
    document.body.addEventListener('edit-cancelled', () => fired.push({ type: 'edit-cancelled' }));
    Object.assign(window, { client, fired });
    document.title = 'Site edit';
  }, loginBody('demo'));
  changes.splice(0);
});

// As in the Sites view, each edit is a new element holding the site as stored.
beforeEach(async () => {
  await page.evaluate(async (siteId) => {
    const { client } = window as unknown as { client: Client };
    const edit = document.createElement('glint-site-edit') as HTMLElement & {
      client: Client;
      site: Site;
    };
    edit.client = client;
    edit.site = await client.get<Site>(`/sites/${siteId}`);
    document.querySelector('main')!.replaceChildren(edit);
  }, siteId);
  await edit().locator('form').waitFor();
  changes.splice(0);
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const edit = () => page.locator('glint-site-edit');
const fired = () => page.evaluate(() => (window as unknown as Window).fired.splice(0));
const save = () => edit().locator('button[type="submit"]').click();

async function storedSite(): Promise<Site> {
  const response = await server.inject({ url: `/api/v1/sites/${siteId}`, headers: user.headers });
  return response.json<Site>();
}

test('it shows the site’s name, self-heal and who logs in, and no secret', async () => {
  expect(await edit().locator('input[name="name"]').inputValue()).toBe('one');
  expect(await edit().locator('select[name="selfHeal"]').inputValue()).toBe('off');
  expect(await edit().locator('input[name="username"]').inputValue()).toBe(
    sandboxCloud(1).users.demo.username,
  );
  expect(await edit().locator('input[name="password"]').inputValue()).toBe('');
  expect(pageErrors).toEqual([]);
});

test('Save with nothing changed sends nothing and fires site-changed with the site as it was', async () => {
  await save();
  await page.waitForFunction(() => (window as unknown as Window).fired.length > 0);
  const [event] = await fired();
  expect(event).toEqual({ type: 'site-changed', site: await storedSite() });
  expect(changes).toEqual([]);
});

test('a new name and policy are sent alone, stored, and come back in site-changed', async () => {
  await edit().locator('input[name="name"]').fill('one-renamed');
  await edit().locator('select[name="selfHeal"]').selectOption('restore');
  await save();
  await page.waitForFunction(() => (window as unknown as Window).fired.length > 0);
  const [event] = await fired();
  const stored = await storedSite();
  expect(stored).toEqual(expect.objectContaining({ name: 'one-renamed', selfHeal: 'restore' }));
  expect(event).toEqual({ type: 'site-changed', site: stored });
  expect(changes).toEqual([`PATCH /api/v1/sites/${siteId}`]);
  changes.splice(0);
});

test('a wrong new password shows beside the password and changes nothing', async () => {
  const before = await storedSite();
  await edit().locator('input[name="password"]').fill('not-the-password');
  await save();
  const error = edit().locator('[data-field="password"] .field-error');
  await error.waitFor();
  expect(await error.innerText()).not.toBe('');
  expect(await edit().locator('input[name="password"]').getAttribute('aria-invalid')).toBe('true');
  expect(await fired()).toEqual([]);
  expect(await storedSite()).toEqual(before);
});

test('labels are added, changed and removed in rows, and sent as the whole new map', async () => {
  await edit().locator('button.add-label').click();
  await edit().locator('#label-key-0').fill('tier');
  await edit().locator('input[aria-label="Label 1 value"]').fill('prod');
  await edit().locator('button.add-label').click();
  await edit().locator('#label-key-1').fill('example.org/zone');
  await edit().locator('input[aria-label="Label 2 value"]').fill('b');
  await save();
  await page.waitForFunction(() => (window as unknown as Window).fired.length > 0);
  expect((await storedSite()).labels).toEqual({ tier: 'prod', 'example.org/zone': 'b' });
  expect(changes).toEqual([`PATCH /api/v1/sites/${siteId}`]);
  changes.splice(0);
  await fired();
});

test('the stored labels show in rows; removing one sends the rest', async () => {
  // Rows sorted by key, as stored.
  expect(
    await edit()
      .locator('input[name="label-key"]')
      .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value)),
  ).toEqual(['example.org/zone', 'tier']);
  await edit().locator('button[aria-label="Remove label example.org/zone"]').click();
  await save();
  await page.waitForFunction(() => (window as unknown as Window).fired.length > 0);
  expect((await storedSite()).labels).toEqual({ tier: 'prod' });
  changes.splice(0);
  await fired();
});

test('a label Glint would refuse shows beside the labels as typed, and Save sends nothing', async () => {
  await edit().locator('button.add-label').click();
  await edit().locator('#label-key-1').fill('Zone');
  const error = edit().locator('[data-field="labels"] .field-error');
  await error.waitFor();
  expect(await error.innerText()).toContain('label key "Zone" is not valid');
  await edit().locator('#label-key-1').fill('tier');
  await error.getByText('label key "tier" is given twice').waitFor();
  await save();
  expect(await fired()).toEqual([]);
  expect(changes).toEqual([]);
  expect((await storedSite()).labels).toEqual({ tier: 'prod' });
  // Said once, from the rows, not again as the refused Save's error.
  expect(await error.innerText()).toBe('label key "tier" is given twice');
  await page.screenshot({ path: join(screenshots, 'site-edit-labels.png') });
  expect(await seriousViolations(page)).toEqual([]);
});

test('Cancel fires edit-cancelled and sends nothing', async () => {
  changes.splice(0);
  await edit().locator('button', { hasText: 'Cancel' }).click();
  expect(await fired()).toEqual([{ type: 'edit-cancelled' }]);
  expect(changes).toEqual([]);
});
