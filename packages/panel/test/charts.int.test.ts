/**
 * The panel's activity charts in headless Chromium, against the real API and a daemon: a copy
 * between sandbox clouds and the inventories it took show in a site's throughput, jobs and
 * inventory charts, and in the Jobs view's transfers per hour. Screenshots go to
 * test-output/panel/ (charts-*.png).
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
  applyPlacements,
  login,
  matrixRow,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../../daemon/src';
import { launchChromium, loggedInPage } from '../../../test-support/browser-page';
import { sandboxCloud } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';

const MiB = 1024 * 1024;
const size = 4 * MiB;
const run = `charts-${randomBytes(4).toString('hex')}`;
const screenshots = join(__dirname, '../../../test-output/panel');
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two', string>;
let daemon: RunningDaemon;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** The hour the copy ended in (UTC, as the history has it). */
let copyHour: string;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  env = await testEnvironment();
  server = await env.start();
  user = await login(server);
  site = await addSandboxSites(server, user, { one: 1, two: 2 });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  await images.seed(sandboxCloud(1), `${run}-image`, run, {}, size);
  daemon = await startDaemon(
    loadDaemonConfig(env.env({ GLINT_INVENTORY_INTERVAL_SECONDS: '3600' })),
    () => {},
  );
  const row = await until('the image in the matrix', async () => {
    const found = await matrixRow(server, user, `${run}-image`);
    return found?.cells.some((c) => c.siteId === site.one && c.state === 'unmanaged') && found;
  });
  await applyPlacements(server, user, [{ image: row.id, site: site.two, wanted: true }]);
  const ended = await until('the copy to succeed', async () => {
    const rows = await env.query<{ state: string; finished_at: Date }>(
      `SELECT state, finished_at FROM jobs WHERE operation = 'copy'`,
    );
    return rows[0]?.state === 'succeeded' && rows[0].finished_at;
  });
  ended.setUTCMinutes(0, 0, 0);
  copyHour = ended.toISOString().replace('.000', '');
  browser = await launchChromium();
  page = await loggedInPage(browser, base, user.cookie, { width: 1200, height: 900 }, (message) =>
    pageErrors.push(message),
  );
  await page.goto(base);
});

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  const adapter = images.adapter(sandboxCloud(2));
  for await (const image of adapter.listImages({ name: `${run}-image` }))
    await adapter.deleteImage(image.id).catch(() => {});
  await images.close();
  await env?.close();
});

const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });

/** The bars (or points) a chart drew for one series, as [hour, value] in hour order. */
async function drawn(chart: string, series: string): Promise<[string, number][]> {
  const marks = page.locator(`${chart} [data-series="${series}"] [data-hour]`);
  await marks.first().waitFor({ state: 'attached' });
  const values = await marks.evaluateAll((elements) =>
    elements.map((e) => [e.getAttribute('data-hour')!, Number(e.getAttribute('data-value'))]),
  );
  return values as [string, number][];
}

test('a site’s page charts its throughput, its jobs and its inventories over the last day', async () => {
  await page.click('[role="tab"]:text-is("Sites")');
  await page.click('glint-sites-view button.activity:text-is("two")');
  const activity = 'glint-site-activity';
  const bytesIn = await drawn(`${activity} .throughput`, 'bytesIn');
  expect(bytesIn).toHaveLength(24);
  // The copy's hour holds its bytes; the others none.
  expect(bytesIn.filter(([, bytes]) => bytes > 0)).toEqual([[copyHour, size]]);
  const jobs = new Map(await drawn(`${activity} .failures`, 'succeeded'));
  expect(jobs.get(copyHour)).toBeGreaterThanOrEqual(1);
  expect((await drawn(`${activity} .failures`, 'failed')).every(([, n]) => n === 0)).toBe(true);
  // What the daemon's inventories found, on the same hours.
  const held = await drawn(`${activity} .inventory`, 'images');
  expect(held.length).toBeGreaterThanOrEqual(1);
  expect(bytesIn.map(([hour]) => hour)).toEqual(expect.arrayContaining(held.map(([h]) => h)));
  // The bar of the copy is drawn as tall as the axis' top allows: a real height, not a stub.
  const height = await page
    .locator(`${activity} .throughput [data-series="bytesIn"] rect`)
    .last()
    .evaluate((rect) => (rect as SVGRectElement).getBBox().height);
  expect(height).toBeGreaterThan(50);
  await page.locator(activity).scrollIntoViewIfNeeded();
  await shot('charts-site');

  // The source shows the bytes it sent.
  await page.click('glint-sites-view button.activity:text-is("one")');
  await until(
    'the source’s chart',
    async () => {
      const sent = new Map(await drawn(`${activity} .throughput`, 'bytesOut'));
      return sent.get(copyHour) === size;
    },
    10_000,
  );
});

test('the Jobs view charts transfers per hour by state', async () => {
  await page.click('[role="tab"]:text-is("Jobs")');
  const chart = 'glint-jobs-view glint-hourly-chart.transfers';
  const succeeded = await drawn(chart, 'succeeded');
  expect(succeeded).toHaveLength(24);
  expect(succeeded.filter(([, count]) => count > 0)).toEqual([[copyHour, 1]]);
  expect((await drawn(chart, 'failed')).every(([, count]) => count === 0)).toBe(true);
  expect(await page.locator(`${chart} figcaption`).textContent()).toMatch(/Transfers per hour/);
  await shot('charts-jobs');
  expect(pageErrors).toEqual([]);
});
