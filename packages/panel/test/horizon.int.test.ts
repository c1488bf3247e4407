/**
 * The panel embedded in a real Horizon (Debian's openstack-dashboard with deploy/horizon's plugin),
 * in headless Chromium, against the real API, daemon and sandbox clouds: log in to Horizon as the
 * demo user, open Project → Compute → Image Distribution, see the matrix with no second login (the
 * page hands the panel the user's Keystone token), and start a copy there that lands, verified, in
 * cloud 2's Glance. Horizon and the API are different origins, so this also runs through the API's
 * CORS. Then Horizon's own project switch (as the team-admin, who is in team-a and team-b) switches
 * the panel's data. Screenshots go to test-output/panel/horizon-*.png.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ImageInfo } from '@glint/cloud-adapters';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { CloudImages } from '../../../test-support/cloud-images';
import { refreshAll } from '../../../test-support/inventory-worker';
import {
  addSandboxSites,
  keystoneToken,
  testEnvironment,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../../daemon/src';
import { launchChromium } from '../../../test-support/browser-page';
import { freePort } from '../../../test-support/free-port';
import { startHorizon, stopHorizon } from '../../../test-support/horizon';
import { sandboxCloud, sandboxToken } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';

const MiB = 1024 * 1024;
const run = `horizon-${randomBytes(4).toString('hex')}`;
const imageName = `${run}-debian`;
const screenshots = join(__dirname, '../../../test-output/panel');
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let api: string;
let daemon: RunningDaemon;
let horizonStarted = false;
let horizon: string;
let source: ImageInfo;
let panelToken: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  // The API must know Horizon's origin before it starts, and Horizon the API's URL.
  const horizonPort = await freePort();
  env = await testEnvironment();
  server = await env.start({ GLINT_CORS_ORIGINS: `http://127.0.0.1:${horizonPort}` });
  await server.listen({ host: '127.0.0.1', port: 0 });
  api = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  // The sites are the demo user's, added with a Keystone token of theirs: nobody ever logs in to
  // Glint with a cookie in this file.
  const demo = { headers: { 'x-auth-token': await keystoneToken('demo') } };
  await addSandboxSites(server, demo, { cloud1: 1, cloud2: 2 });
  daemon = await startDaemon(
    loadDaemonConfig(env.env({ GLINT_INVENTORY_INTERVAL_SECONDS: '3600' })),
    () => {},
  );
  source = await images.seed(sandboxCloud(1), imageName, run, {}, 16 * MiB);
  await refreshAll(server, demo);
  horizonStarted = true;
  horizon = await startHorizon({
    port: horizonPort,
    glintApi: api,
    keystone: sandboxCloud(1).authUrl,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
}, 360_000);

afterAll(async () => {
  // Every step runs, whatever failed before it, so no Horizon, daemon or copy outlives the file.
  const failures: unknown[] = [];
  const step = async (work: () => Promise<unknown> | undefined) => {
    try {
      await work();
    } catch (error) {
      failures.push(error);
    }
  };
  await step(() => browser?.close());
  if (horizonStarted) await step(stopHorizon);
  await step(() => daemon?.stop());
  await step(async () => {
    const adapter = images.adapter(sandboxCloud(2));
    for await (const image of adapter.listImages({ name: imageName, includeHidden: true }))
      await adapter.deleteImage(image.id);
  });
  await step(() => images.close());
  await step(() => env?.close());
  if (failures.length > 0) throw new AggregateError(failures, 'cleaning up after the Horizon test');
}, 120_000);

const shot = (name: string) =>
  page.screenshot({ path: join(screenshots, `horizon-${name}.png`), fullPage: true });

/**
 * The test image's cell in column `col` matching `also`; playwright's CSS pierces shadow roots.
 * Inside the matrix only: Horizon's Bootstrap layout has `.row` elements around the whole panel.
 */
const cell = (col: number, also = '') =>
  page.locator(
    `glint-image-matrix .row:has(.name:text-is("${imageName}")) .cell[data-col="${col}"]${also}`,
  );

/**
 * Runs a test's steps; when one fails, the page is kept as a screenshot and the error says what the
 * matrix showed. These tests failed only under the full suite's load, where only the log is left.
 */
async function describingFailure(name: string, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (error) {
    await shot(`failed-${name}`).catch(() => undefined);
    const text = (selector: string) =>
      page
        .locator(selector)
        .allInnerTexts()
        .then((texts) => texts.join(' | ').replace(/\s+/g, ' ').slice(0, 300))
        .catch((reason: Error) => `(unreadable: ${reason.message})`);
    const shown = `the page at ${page.url()} showed count "${await text('glint-image-matrix .count')}", rows "${await text('glint-image-matrix .row')}"`;
    throw new Error(`${(error as Error).message}\n${shown}`, { cause: error });
  }
}

/** Glint's Redis keys of one kind (`session` or `token`), as CallerStore names them. */
const callerKeys = async (kind: 'session' | 'token') =>
  (await env.redisKeys()).filter((key) => key.startsWith(`${kind}:`));

test('log in to the real Horizon as the demo user', async () => {
  await page.goto(`${horizon}/auth/login/`);
  const demo = sandboxCloud(1).users.demo;
  await page.fill('#id_username', demo.username);
  await page.fill('#id_password', demo.password);
  await shot('login');
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/auth/login')),
    page.click('#loginBtn'),
  ]);
  // glint-horizon sends logins to Images (Overview needs Nova, which the sandbox lacks).
  expect(new URL(page.url()).pathname).toMatch(/^\/project\/images\/?$/);
  expect(await page.locator('.navbar').innerText()).toContain(demo.username);
});

test('Project → Compute → Image Distribution holds the panel with the user’s token', async () => {
  // In the Compute group of the Project dashboard, as the enabled file asks.
  const link = page.locator('#sidebar-accordion-project-compute a.openstack-panel', {
    hasText: 'Image Distribution',
  });
  pageErrors.length = 0; // Horizon's own Images page has errors of its own; ours must have none.
  await Promise.all([page.waitForURL('**/project/glint_image_distribution/'), link.click()]);
  expect(await page.locator('.breadcrumb li').allInnerTexts()).toEqual([
    'Project',
    'Compute',
    'Image Distribution',
  ]);
  const handed = await page
    .locator('glint-panel')
    .evaluate((panel: HTMLElement & { token?: unknown }) => ({
      apiBase: panel.getAttribute('api-base'),
      token: panel.token,
    }));
  expect(handed.apiBase).toBe(api);
  expect(handed.token).toEqual(expect.stringMatching(/^\S{100,}$/));
  panelToken = handed.token as string;
});

test('the matrix renders for that user with no second login', () =>
  describingFailure('matrix', async () => {
    await page.fill('input.filter', run);
    await page.locator('.count', { hasText: '1 image · 2 sites' }).waitFor();
    await cell(0).waitFor();
    expect(await page.locator('[role="columnheader"]').allInnerTexts()).toEqual([
      'Image',
      'Size',
      expect.stringMatching(/^cloud1\s/),
      expect.stringMatching(/^cloud2\s/),
    ]);
    // Seeded outside Glint, so without its markers.
    let state: string | null = null;
    await until(
      'the test image to show unmanaged on cloud1',
      async () => (state = await cell(0).getAttribute('data-state')) === 'unmanaged',
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; its cell says ${state}`);
    });
    expect(await cell(1).getAttribute('data-state')).toBe('missing');
    expect(await page.locator('glint-login').count()).toBe(0);
    // Glint validated the token the page handed over (its cache key is the token's SHA-256)...
    const tokenKey = `token:${createHash('sha256').update(panelToken).digest('hex')}`;
    expect(await callerKeys('token')).toContain(tokenKey);
    // ...and no cookie session was ever made: the Glint session list is empty.
    expect(await callerKeys('session')).toEqual([]);
    // Cookies ignore ports, so Horizon's are there too; Glint's is not.
    expect((await page.context().cookies(api)).map((c) => c.name)).not.toContain('glint_session');
    await page.waitForTimeout(400); // past the cells' colour transition
    await shot('matrix');
    expect(pageErrors).toEqual([]);
  }));

test('a transfer started in the embedded matrix lands, verified, in cloud 2', () =>
  describingFailure('transfer', async () => {
    await cell(1).click();
    await cell(1, '.changed[aria-selected="true"]').waitFor();
    await page.click('button.review');
    const copies = page.locator('glint-plan-review .copies li');
    await copies.waitFor();
    expect((await copies.innerText()).replace(/\s+/g, ' ')).toBe(
      `${imageName} from cloud1 to cloud2 (16 MiB)`,
    );
    await shot('plan');
    await page.click('glint-plan-review button.apply');
    await cell(1, '[data-state="present"]').waitFor({ timeout: 120_000 });
    await page.waitForTimeout(400);
    await shot('present');

    const onTwo: ImageInfo[] = [];
    for await (const image of images.adapter(sandboxCloud(2)).listImages({ name: imageName }))
      onTwo.push(image);
    expect(onTwo).toEqual([
      expect.objectContaining({
        name: imageName,
        status: 'active',
        size: 16 * MiB,
        checksum: source.checksum,
        hashAlgo: source.hashAlgo,
        hashValue: source.hashValue,
      }),
    ]);
    expect(onTwo[0]!.properties.glint_content_hash).toBe(`${source.hashAlgo}:${source.hashValue}`);
    expect(await callerKeys('session')).toEqual([]);
    expect(pageErrors).toEqual([]);
  }));

test("switching Horizon's project switches the panel's data", async () => {
  // A site in each of the team-admin's projects, added with a token scoped to it.
  const projectIds: Record<string, string> = {};
  for (const [project, name] of [
    ['team-a', 'team-a-cloud'],
    ['team-b', 'team-b-cloud'],
  ] as const) {
    const caller = {
      headers: { 'x-auth-token': await sandboxToken(sandboxCloud(1), 'team-admin', project) },
    };
    await addSandboxSites(server, caller, { [name]: 1 });
    const me = await server.inject({ method: 'GET', url: '/api/v1/me', headers: caller.headers });
    projectIds[project] = me.json<{ project: { id: string } }>().project.id;
  }
  const teamAdmin = sandboxCloud(1).users['team-admin'];
  await page.goto(`${horizon}/auth/logout/`);
  await page.goto(`${horizon}/auth/login/`);
  await page.fill('#id_username', teamAdmin.username);
  await page.fill('#id_password', teamAdmin.password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/auth/login')),
    page.click('#loginBtn'),
  ]);
  const columns = () => page.locator('glint-image-matrix [role="columnheader"]');
  pageErrors.length = 0;
  // Horizon's project switcher, as its menu links it. Which project a login starts in is Horizon's
  // choice (the Keystone default, or the one last used), so the test switches away from it.
  const switchTo = async (project: string) => {
    await page.goto(
      `${horizon}/auth/switch/${projectIds[project]}/?next=/project/glint_image_distribution/`,
    );
    await page.waitForURL('**/project/glint_image_distribution/');
  };
  // The site columns the panel shows, once they are the project's.
  const sitesShown = (site: string) =>
    until(`the panel to show ${site}`, async () => {
      const names = (await columns().allInnerTexts()).slice(2).map((t) => t.split('\n')[0] ?? '');
      return names.some((name) => name.endsWith(site)) && names;
    });
  await page.goto(`${horizon}/project/glint_image_distribution/`);
  const startedIn = (await sitesShown('-cloud')) as string[];
  const [from, to] = startedIn.includes('team-a-cloud')
    ? ['team-a', 'team-b']
    : ['team-b', 'team-a'];
  expect(startedIn).toEqual([`${from}-cloud`]);
  await switchTo(to);
  expect(await sitesShown(`${to}-cloud`)).toEqual([`${to}-cloud`]);
  await shot('switched-project');
  expect(pageErrors).toEqual([]);
});
