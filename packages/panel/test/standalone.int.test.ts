/**
 * The standalone page end to end in headless Chromium, against the real API, daemon and sandbox
 * clouds: log in through the page, see the matrix, tick a cell, review the plan, apply, and watch the
 * cell move to present in place (no reload), then find the copy in the destination's Glance.
 * Screenshots go to test-output/panel/.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CredentialCipher } from '@glint/store';
import { loadConfig } from '../../api/src/config';
import { CloudImages } from '../../api/test/cloud-images';
import { refreshAll } from '../../api/test/inventory-worker';
import { withSites, type Session, type TestEnvironment } from '../../api/test/test-environment';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../../daemon/src';
import { passwordCredential, sandboxCloud } from '../../../test-support/sandbox';

const MiB = 1024 * 1024;
const run = `panel-${randomBytes(4).toString('hex')}`;
const imageName = `${run}-debian`;
const screenshots = join(__dirname, '../../../test-output/panel');
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'cloud1' | 'cloud2' | 'cloud3', string>;
let daemon: RunningDaemon;
let browser: Browser;
let page: Page;
let base: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  ({ env, server, user, site } = await withSites({ cloud1: 1, cloud2: 2, cloud3: 3 }));
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  daemon = await startDaemon(
    loadDaemonConfig(env.env({ GLINT_INVENTORY_INTERVAL_SECONDS: '3600' })),
    () => {},
  );
  await images.seed(sandboxCloud(1), imageName, run, {}, 16 * MiB);
  await refreshAll(server, user);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Not console errors: Chromium logs every 4xx there, and the 401 before the login is expected.
});

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  for (const cloud of [2, 3]) {
    const adapter = images.adapter(sandboxCloud(cloud));
    for await (const image of adapter.listImages({ name: imageName }))
      await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  await env?.close();
});

const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });

/**
 * The cell of the test image on the site in column `col`, and matching `also` (playwright's CSS
 * pierces shadow roots). Redraws are asynchronous, so tests wait for a look rather than read it.
 */
const cell = (col: number, also = '') =>
  page.locator(`.row:has(.name:text-is("${imageName}")) .cell[data-col="${col}"]${also}`);

test('the server hands out the page and the bundle', async () => {
  const html = await fetch(`${base}/`);
  expect(html.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await html.text()).toContain('<glint-panel api-base="">');
  const bundle = await fetch(`${base}/panel/glint-panel.js`);
  expect(bundle.status).toBe(200);
  expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
});

test('log in through the page and see the matrix fill from the clouds', async () => {
  await page.goto(base);
  const demo = sandboxCloud(1).users.demo;
  await page.fill('input[name="username"]', demo.username);
  await page.fill('input[name="password"]', demo.password);
  await page.fill('input[name="project"]', demo.projectName);
  await shot('login');
  await page.click('button[type="submit"]');
  await page.fill('input.filter', run);
  await page.locator('.count', { hasText: '1 image · 3 sites' }).waitFor();
  await cell(0).waitFor();
  expect(await page.locator('[role="columnheader"]').allInnerTexts()).toEqual([
    'Image',
    'Size',
    expect.stringMatching(/^cloud1\s/),
    expect.stringMatching(/^cloud2\s/),
    expect.stringMatching(/^cloud3\s/),
  ]);
  // Seeded outside Glint, so without its markers.
  expect(await cell(0).getAttribute('data-state')).toBe('unmanaged');
  expect(await cell(1).getAttribute('data-state')).toBe('missing');
  await shot('matrix');
});

test('tick a cell, review the plan, apply, and watch the copy land in place', async () => {
  const target = cell(1);
  // Keyboard first: Space toggles the focused cell, a second Space takes the change back.
  await target.focus();
  await page.keyboard.press('Space');
  await cell(1, '.changed[aria-selected="true"]').waitFor();
  await page.keyboard.press('Space');
  await cell(1, ':not(.changed)[aria-selected="false"]').waitFor();
  await target.click();
  await cell(1, '.changed[aria-selected="true"]').waitFor();

  await page.click('button.review');
  const copies = page.locator('glint-plan-review .copies li');
  await copies.waitFor();
  expect((await copies.innerText()).replace(/\s+/g, ' ')).toBe(
    `${imageName} from cloud1 to cloud2 (16 MiB)`,
  );
  await shot('plan');

  // The same element must change state in place, and the page must not reload.
  await target.evaluate((element) => {
    const seen: string[] = [];
    (window as unknown as { glintSeen: string[] }).glintSeen = seen;
    new MutationObserver(() => {
      // Every draw sets the attribute; only changes count.
      const state = element.getAttribute('data-state')!;
      if (state !== (seen.at(-1) ?? 'missing')) seen.push(state);
    }).observe(element, { attributeFilter: ['data-state'] });
  });
  await page.click('glint-plan-review button.apply');
  await page
    .locator(
      `.row:has(.name:text-is("${imageName}")) .cell[data-col="1"]:not([data-state="missing"])`,
    )
    .waitFor();
  await shot('applied');
  await cell(1, '[data-state="present"]').waitFor({ timeout: 120_000 });
  // Past the cell's 300 ms colour transition, so the screenshot shows the settled look.
  await page.waitForTimeout(400);
  await shot('present');
  const seen = await page.evaluate(() => (window as unknown as { glintSeen: string[] }).glintSeen);
  expect(seen.at(-1)).toBe('present');
  expect(['queued', 'transferring']).toContain(seen[0]);
  expect(seen.every((state) => ['queued', 'transferring', 'present'].includes(state))).toBe(true);

  const onTwo = [];
  for await (const image of images.adapter(sandboxCloud(2)).listImages({ name: imageName }))
    onTwo.push(image);
  expect(onTwo).toEqual([
    expect.objectContaining({ status: 'active', size: 16 * MiB, name: imageName }),
  ]);
  expect(pageErrors).toEqual([]);
});

/** Stores a wrong password as site cloud3's credential, as the API never would. */
async function breakCloud3(): Promise<void> {
  const [row] = await env.query<{ owner_id: string }>('SELECT owner_id FROM sites WHERE id = $1', [
    site.cloud3,
  ]);
  const ownerId = row!.owner_id;
  const wrong = new CredentialCipher(loadConfig(env.env()).credentialKeys).seal(
    { kind: 'password', username: sandboxCloud(3).users.demo.username, password: 'wrong' },
    { ownerId, siteId: site.cloud3 },
  );
  await env.query(
    'UPDATE credentials SET key_id = $3, nonce = $4, ciphertext = $5, auth_tag = $6 WHERE owner_id = $1 AND site_id = $2',
    [ownerId, site.cloud3, wrong.keyId, wrong.nonce, wrong.ciphertext, wrong.authTag],
  );
}

test('an error cell shows its message, and its retry works once the cause is fixed', async () => {
  await breakCloud3();
  await cell(2).click();
  await page.click('button.review');
  await page.locator('glint-plan-review .copies li', { hasText: 'to cloud3' }).waitFor();
  await page.click('glint-plan-review button.apply');
  const failed = cell(2, '[data-state="error"]');
  await failed.waitFor({ timeout: 120_000 });
  await failed.focus();
  const detail = page.locator('.detail', { hasText: 'cloud3' });
  await detail.waitFor();
  expect(await detail.innerText()).toMatch(/error — .*(401|password|credential|authenticat)/i);
  expect(await failed.getAttribute('title')).toMatch(/^cloud3: error — /);
  await page.waitForTimeout(400);
  await shot('error');

  const fixed = await server.inject({
    method: 'PATCH',
    url: `/api/v1/sites/${site.cloud3}`,
    headers: user.headers,
    payload: { credential: passwordCredential(sandboxCloud(3)) },
  });
  expect(fixed.statusCode).toBe(200);
  await page.click('.detail button.retry');
  await cell(2, '[data-state="present"]').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(400);
  await shot('retried');
  expect(pageErrors).toEqual([]);
});

test('a session that ended brings the login back, and logging in again the matrix', async () => {
  await page.context().clearCookies();
  await page.fill('input.filter', `${run}-nothing`);
  await page.locator('input[name="username"]').waitFor();
  const demo = sandboxCloud(1).users.demo;
  await page.fill('input[name="username"]', demo.username);
  await page.fill('input[name="password"]', demo.password);
  await page.fill('input[name="project"]', demo.projectName);
  await page.click('button[type="submit"]');
  await page.fill('input.filter', run);
  await cell(1, '[data-state="present"]').waitFor();
  expect(pageErrors).toEqual([]);
});
