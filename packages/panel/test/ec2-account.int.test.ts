/**
 * The Sites view's EC2 account form end to end in headless Chromium, against the real API and
 * daemon, the sandbox's cloud1 and an emulated AWS (the S3 server and the EC2 emulator): a bad
 * secret and a region the account may not use are refused beside their fields; the account with two
 * regions becomes two sites, matrix columns beside the OpenStack site; the account's Edit enables a
 * third region from the list AWS gives; removing it removes every region's site. Screenshots go to
 * test-output/panel/.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  addSandboxSites,
  login,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../../daemon/src';
import { startEc2Stack, type Ec2Stack } from '../../../test-support/ec2-stack';
import { sandboxCloud } from '../../../test-support/sandbox';
import { launchChromium, loggedInPage } from '../../../test-support/browser-page';

const run = `panel-ec2-${randomBytes(4).toString('hex')}`;
const screenshots = join(__dirname, '../../../test-output/panel');
const images = new CloudImages();
let cloud: Ec2Stack;
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let daemon: RunningDaemon;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  [cloud, env] = await Promise.all([startEc2Stack(), testEnvironment()]);
  server = await env.start({ GLINT_OUTBOUND_ALLOW: cloud.outboundAllow });
  user = await login(server);
  await addSandboxSites(server, user, { sandbox: 1 });
  await images.seed(sandboxCloud(1), `${run}-image`, run);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  daemon = await startDaemon(
    loadDaemonConfig(
      env.env({
        GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
        GLINT_OUTBOUND_ALLOW: cloud.outboundAllow,
      }),
    ),
    () => {},
  );
  await server.inject({ method: 'POST', url: '/api/v1/sites/refresh', headers: user.headers });
  browser = await launchChromium();
  page = await loggedInPage(browser, base, user.cookie, { width: 1100, height: 900 }, (message) =>
    pageErrors.push(message),
  );
  await page.goto(base);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  await images.close();
  await env?.close();
  await cloud?.close();
});

const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });
const tab = (name: string) => page.click(`[role="tab"]:text-is("${name}")`);
const sites = () => page.locator('glint-sites-view');
const row = (name: string) => sites().locator(`tr[data-site="${name}"]`);
const form = () => page.locator('glint-ec2-account-form');

/** Fills the EC2 account form with the emulator's keys (the secret as given) and submits it. */
async function addAccount(secret: string, regions: string) {
  const f = form();
  await f.locator('input[name="name"]').fill('aws');
  await f.locator('input[name="accessKeyId"]').fill(cloud.credential.accessKeyId);
  await f.locator('input[name="secretAccessKey"]').fill(secret);
  await f.locator('input[name="regions"]').fill(regions);
  if (!(await f.locator('details.advanced').evaluate((d: HTMLDetailsElement) => d.open)))
    await f.locator('details.advanced summary').click();
  for (const [field, url] of Object.entries(cloud.endpoints))
    await f.locator(`input[name="${field}"]`).fill(url);
  await f.locator('button[type="submit"]').click();
}

test('a bad secret, then a region the account may not use, are refused beside their fields; nothing is stored', async () => {
  await tab('Sites');
  await row('sandbox').waitFor();
  await sites().locator('button.add').click();
  await page.locator('glint-add-site input[value="ec2"]').check();
  await addAccount('not-the-secret', 'us-east-1 eu-west-1');
  const secretError = form().locator('[data-field="secretAccessKey"] .field-error');
  await secretError.waitFor();
  expect(await secretError.innerText()).toMatch(
    /AWS refused the access keys .*check the access key id and secret/,
  );
  expect(await form().locator('input[name="secretAccessKey"]').getAttribute('aria-invalid')).toBe(
    'true',
  );
  expect(await form().locator('.field-error').count()).toBe(1);
  await shot('ec2-add-error');

  // ap-east-1 needs an opt-in this account never gave.
  await addAccount(cloud.credential.secretAccessKey, 'us-east-1 ap-east-1');
  const regionError = form().locator('[data-field="regions"] .field-error');
  await regionError.waitFor();
  expect(await regionError.innerText()).toMatch(
    /^region ap-east-1 is not enabled for this AWS account \(DescribeRegions lists it as not-opted-in\); .*enable it in the AWS console under Account → AWS Regions .*remove the region from this account in Glint/,
  );
  expect(await form().locator('.field-error').count()).toBe(1);
  expect(await env.query('SELECT * FROM accounts')).toEqual([]);
  expect(await env.query("SELECT * FROM sites WHERE type = 'ec2'")).toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('the account with two regions becomes two sites, healthy, inventoried, showing the account and region', async () => {
  await addAccount(cloud.credential.secretAccessKey, 'us-east-1, eu-west-1');
  for (const name of ['aws/eu-west-1', 'aws/us-east-1'])
    await row(name).locator('.health.ok').waitFor({ timeout: 30_000 });
  expect((await row('aws/eu-west-1').innerText()).replace(/\s+/g, ' ')).toMatch(
    new RegExp(`^aws/eu-west-1 ec2 account aws eu-west-1 keys ${cloud.credential.accessKeyId} `),
  );
  // The inventories the page queued ran DescribeImages against the emulator.
  for (const name of ['aws/eu-west-1', 'aws/us-east-1'])
    await row(name)
      .locator('td:nth-of-type(4):not(:text-is("never"))')
      .waitFor({ timeout: 60_000 });
  expect(await sites().locator('.notice').innerText()).toBe(
    'Added the EC2 account aws with regions eu-west-1, us-east-1; their inventories are queued.',
  );
  expect(
    cloud.ec2
      .calls()
      .filter((call) => call.action === 'DescribeImages' && !call.error)
      .map((call) => call.region)
      .sort(),
  ).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1']));
  await shot('ec2-sites');
  expect(pageErrors).toEqual([]);
});

test('the matrix shows the two EC2 region columns beside the OpenStack site', async () => {
  await tab('Matrix');
  await page.fill('input.filter', run);
  await page.locator('.count', { hasText: '1 image · 3 sites' }).waitFor({ timeout: 30_000 });
  const headers = await page.locator('[role="columnheader"]').allInnerTexts();
  expect(headers.map((h) => h.replace(/\s+/g, ' ').trim())).toEqual([
    'Image',
    'Size',
    'aws/eu-west-1 eu-west-1',
    'aws/us-east-1 us-east-1',
    `sandbox ${sandboxCloud(1).region}`,
  ]);
  const cell = (col: number) =>
    page.locator(`.row:has(.name:text-is("${run}-image")) .cell[data-col="${col}"]`);
  await cell(2).waitFor();
  expect(await Promise.all([0, 1, 2].map((col) => cell(col).getAttribute('data-state')))).toEqual([
    'missing',
    'missing',
    'unmanaged',
  ]);
  await page.waitForTimeout(400);
  await shot('ec2-matrix');
  expect(pageErrors).toEqual([]);
});

test('the account’s Edit lists the regions AWS gives it and enables a third', async () => {
  await tab('Sites');
  await row('aws/us-east-1').locator('button.edit').click();
  const edit = sites().locator('glint-account-edit');
  const choice = (region: string) => edit.locator(`input[name="regions"][value="${region}"]`);
  await choice('us-west-2').waitFor();
  expect(await choice('us-east-1').isChecked()).toBe(true);
  expect(await choice('eu-west-1').isChecked()).toBe(true);
  expect(await choice('us-west-2').isChecked()).toBe(false);
  // Listed by AWS, but not opted in: not offered.
  expect(await choice('ap-east-1').isDisabled()).toBe(true);
  await choice('us-west-2').check();
  await shot('ec2-edit');
  await edit.locator('button[type="submit"]').click();
  await row('aws/us-west-2').locator('.health.ok').waitFor({ timeout: 30_000 });
  const [count] = await env.query<{ count: string }>(
    "SELECT count(*) FROM sites WHERE type = 'ec2'",
  );
  expect(count!.count).toBe('3');
  expect(pageErrors).toEqual([]);
});

test('a region’s Labels edits the labels of that region’s site alone', async () => {
  await row('aws/us-west-2').locator('button.labels').click();
  const labels = sites().locator('glint-site-labels');
  await labels.locator('button.add-label').click();
  await labels.locator('#label-key-0').fill('provider');
  await labels.locator('input[aria-label="Label 1 value"]').fill('aws');
  await labels.locator('button[type="submit"]').click();
  await row('aws/us-west-2').locator('li.label', { hasText: 'provider=aws' }).waitFor();
  const stored = await env.query<{ name: string; labels: unknown }>(
    "SELECT name, labels FROM sites WHERE type = 'ec2' ORDER BY name",
  );
  expect(stored).toEqual([
    { name: 'aws/eu-west-1', labels: {} },
    { name: 'aws/us-east-1', labels: {} },
    { name: 'aws/us-west-2', labels: { provider: 'aws' } },
  ]);
  expect(pageErrors).toEqual([]);
});

test('removing a region’s site offers the account or the region alone; removing the account removes every region', async () => {
  await row('aws/eu-west-1').locator('button.remove').click();
  const confirm = sites().locator('tr.confirm');
  await confirm.waitFor();
  expect((await confirm.innerText()).replace(/\s+/g, ' ')).toMatch(
    /Remove the account with its 3 regions \(eu-west-1, us-east-1, us-west-2\)/,
  );
  await shot('ec2-remove');
  await confirm.locator('button.disable-region').click();
  await row('aws/eu-west-1').waitFor({ state: 'detached' });
  await row('aws/us-east-1').locator('button.remove').click();
  await sites().locator('tr.confirm button.confirm-remove').click();
  for (const name of ['aws/us-east-1', 'aws/us-west-2'])
    await row(name).waitFor({ state: 'detached' });
  expect(await env.query("SELECT * FROM sites WHERE type = 'ec2'")).toEqual([]);
  expect(await env.query('SELECT * FROM accounts')).toEqual([]);
  await tab('Matrix');
  await page.locator('.count', { hasText: '1 image · 1 site' }).waitFor();
  expect(pageErrors).toEqual([]);
});
