/**
 * The Releases view in headless Chromium against the real API, PostgreSQL, Redis, a daemon and two
 * sandbox clouds: a family rolling out to site one (the canary wave) then site two; versions
 * published through the API show on the timeline live, from the event stream; rollback, promote,
 * halt and resume each show their plan per site before they are confirmed, and what the API then
 * holds is checked. A reader of another project sees the family with no action. Screenshots go to
 * test-output/panel/ (releases-*.png).
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { FamilyDetails, ReleaseVersion } from '@glint/api/replies';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  addSandboxSites,
  login,
  matrixRow,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../../daemon/src';
import { launchChromium, loggedInPage } from '../../../test-support/browser-page';
import { seriousViolations } from '../../../test-support/axe';
import { openstackCli } from '../../../test-support/openstack-cli';
import { sandboxCloud } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';

const run = `panel-rel-${randomBytes(4).toString('hex')}`;
const stableName = `${run} worker`;
const screenshots = join(__dirname, '../../../test-output/panel');
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let base: string;
let user: Session;
let site: Record<'one' | 'two', string>;
let daemon: RunningDaemon;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** Copies the test protected on site two, unprotected before they are deleted. */
const protectedOnTwo: string[] = [];
/** The logical images published as the versions, by version. */
const imageOf: Record<string, string> = {};

async function api<T>(method: 'GET' | 'POST', url: string, payload?: object, as = user) {
  const reply = await server.inject({
    method,
    url: `/api/v1${url}`,
    headers: as.headers,
    ...(payload && { payload }),
  });
  if (reply.statusCode >= 300)
    throw new Error(`${method} ${url}: ${reply.statusCode} ${reply.body}`);
  return reply.json<T>();
}

const details = (name = run) => api<FamilyDetails>('GET', `/releases/${name}`);
const versionOf = (d: FamilyDetails, name: string) => d.versions.find((v) => v.version === name)!;
const statesOf = (v: ReleaseVersion) => v.sites.map((s) => s.state).join(',');

/** A family on both sites, site one its canary wave, with SCS-0102's properties that every version must carry. */
const familyBody = (name: string, stable: string, fields: object = {}) => ({
  name,
  stableName: stable,
  properties: {
    image_original_user: 'ubuntu',
    replace_frequency: 'weekly',
    provided_until: 'none',
    uuid_validity: 'last-2',
  },
  sites: { ids: [site.one, site.two] },
  waves: [{ ids: [site.one] }],
  keepLast: 2,
  graceSeconds: 0,
  ...fields,
});

/** Waits for the rollout to leave `version` in `states` (site one's, site two's). */
function rolledOut(version: string, states = 'stable,stable', name = run) {
  return until(
    `${name} ${version}: ${states}`,
    async () => statesOf(versionOf(await details(name), version)) === states,
    180_000,
    500,
  );
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  env = await testEnvironment();
  server = await env.start();
  user = await login(server);
  site = await addSandboxSites(server, user, { one: 1, two: 2 });
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  for (const version of ['1', '2', '3', 'm1'])
    await images.seed(sandboxCloud(1), `${run}-v${version}`, `${run}-${version}`, {}, 256 * 1024);
  daemon = await startDaemon(
    loadDaemonConfig(env.env({ GLINT_RELEASE_INTERVAL_SECONDS: '1' })),
    () => {},
  );
  for (const version of ['1', '2', '3', 'm1'])
    imageOf[version] = await until(`v${version} in the matrix`, async () => {
      const row = await matrixRow(server, user, `${run}-v${version}`);
      return row?.hash ? row.id : undefined;
    });
  await api('POST', '/releases', familyBody(run, stableName));
  await api('POST', `/releases/${run}/versions`, { image: imageOf['1'], version: '1' });
  await rolledOut('1');
  browser = await launchChromium();
  page = await loggedInPage(browser, base, user.cookie, { width: 1200, height: 900 }, (message) =>
    pageErrors.push(message),
  );
  await page.goto(base);
  await page.click('[role="tab"]:text-is("Releases")');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  for (const id of protectedOnTwo)
    await openstackCli(sandboxCloud(2), ['image', 'set', '--unprotected', id]).catch(() => {});
  for (const cloud of [sandboxCloud(1), sandboxCloud(2)]) {
    const adapter = images.adapter(cloud);
    for await (const image of adapter.listImages())
      if (image.name.startsWith(run)) await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  await env?.close();
});

const shot = (name: string) =>
  page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
const family = (name = run) => page.locator(`glint-releases-view article[data-family="${name}"]`);
const stripStates = async (version: string, name = run) =>
  (
    await family(name)
      .locator(`li.version[data-version="${version}"] li.site`)
      .evaluateAll((chips) =>
        chips.map((c) => `${c.getAttribute('data-site')}:${c.getAttribute('data-state')}`),
      )
  ).join(' ');

/** The review of an action, once the API's plan of it (or its refusal) shows. */
async function reviewed(row = family()) {
  const review = row.locator('glint-release-plan-review');
  await review.locator('.summary:not([role="status"]), .refusal').first().waitFor();
  return review;
}

/** Opens an action's plan, returns its per-site lines, and confirms it; `name`: a screenshot of the plan. */
async function planAndConfirm(button: string, name?: string): Promise<string[]> {
  await family().locator(button).click();
  const review = await reviewed();
  const lines = await review.locator('ul.changes li').allInnerTexts();
  if (name) await shot(name);
  await review.locator('button.confirm').click();
  await review.waitFor({ state: 'detached' });
  return lines;
}

test('a family shows as a row: its version on the timeline, the waves done, the sites stable', async () => {
  await family().waitFor();
  expect(await family().locator('.stable-name').innerText()).toBe(`“${stableName}” follows latest`);
  expect(
    await family()
      .locator('g.version')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-version'))),
  ).toEqual(['1']);
  expect(await stripStates('1')).toBe('one:stable two:stable');
  expect(await family().locator('li.wave .count').allInnerTexts()).toEqual(['1/1', '1/1']);
  expect(await seriousViolations(page)).toEqual([]);
  await shot('releases-v1');
});

test('a version published meanwhile appears live, and rolls out to both waves', async () => {
  await api('POST', `/releases/${run}/versions`, { image: imageOf['2'], version: '2' });
  // The published event brings it, without a reload.
  await family().locator('g.version[data-version="2"]').waitFor();
  await rolledOut('2');
  await until(
    'the view to follow the rollout',
    async () => (await stripStates('2')) === 'one:stable two:stable',
    30_000,
  );
  // Published seconds apart, the two marks are still drawn apart, each stem ending at its time.
  const marks = await family()
    .locator('g.version')
    .evaluateAll((gs) =>
      gs.map((g) => [
        (g as SVGGElement).transform.baseVal.consolidate()!.matrix.e,
        Number(g.getAttribute('data-at')),
      ]),
    );
  expect(marks).toHaveLength(2);
  expect(marks[0]![0]! - marks[1]![0]!).toBeGreaterThanOrEqual(64);
  expect(Math.abs(marks[0]![1]! - marks[1]![1]!)).toBeLessThan(2);
  await family().locator('li.version[data-version="1"] button.show').click();
  await until(
    'v1 hidden on both',
    async () => (await stripStates('1')) === 'one:hidden two:hidden',
    30_000,
  );
  expect(await family().locator('g.version[data-version="2"] text.channels').textContent()).toBe(
    'latest',
  );
  await shot('releases-v2');
});

test('rollback shows each site swapping names back with no byte copied, then does it', async () => {
  const lines = await planAndConfirm('button.rollback', 'releases-rollback-plan');
  expect(lines).toEqual([
    `one: 1 takes “${stableName}”; 2 becomes “${stableName} (2)”, hidden`,
    `two: 1 takes “${stableName}”; 2 becomes “${stableName} (2)”, hidden`,
  ]);
  const after = await details();
  expect(after.channels.find((c) => c.name === 'latest')).toMatchObject({
    version: '1',
    previousVersion: '2',
  });
  await rolledOut('1');
  await family()
    .locator('g.version[data-version="1"] text.channels')
    .filter({ hasText: 'latest' })
    .waitFor();
  await shot('releases-rolled-back');
});

test('promote shows its plan for the version and channel chosen, then points the channel at it', async () => {
  // To a channel the stable name does not follow: no site changes.
  await family().locator('li.version[data-version="2"] button.promote').click();
  await reviewed();
  await family().locator('select[name="channel"]').selectOption('candidate');
  const review = await reviewed();
  await review
    .locator('.summary', {
      hasText: 'Channel candidate points at 2. The stable name follows latest, so no site changes.',
    })
    .waitFor();
  expect(await review.locator('ul.changes li').count()).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);
  await shot('releases-promote-plan');
  await review.locator('button.confirm').click();
  await review.waitFor({ state: 'detached' });
  expect((await details()).channels.find((c) => c.name === 'candidate')?.version).toBe('2');
  await family()
    .locator('g.version[data-version="2"] text.channels')
    .filter({ hasText: 'candidate' })
    .waitFor();

  // To the followed one: the names swap on both sites.
  const lines = await planAndConfirm('li.version[data-version="2"] button.promote');
  expect(lines).toEqual([
    `one: 2 takes “${stableName}”; 1 becomes “${stableName} (1)”, hidden`,
    `two: 2 takes “${stableName}”; 1 becomes “${stableName} (1)”, hidden`,
  ]);
  expect((await details()).channels.find((c) => c.name === 'latest')?.version).toBe('2');
  await rolledOut('2');
});

test('halt and resume each show what stops or goes on, and the halt shows on its wave', async () => {
  await family().locator('button.halt').click();
  const review = await reviewed();
  expect(await review.locator('.summary').innerText()).toBe('The rollout of 2 stops where it is.');
  expect(await review.locator('.unchanged').innerText()).toBe('2 site(s) stay as they are.');
  await family().locator('input[name="reason"]').fill('canary boots slowly');
  await review.locator('button.confirm').click();
  await review.waitFor({ state: 'detached' });
  expect(versionOf(await details(), '2').haltedReason).toBe('canary boots slowly');
  expect(await family().locator('.halted').innerText()).toBe('halted: canary boots slowly');
  await shot('releases-halted');
  await family().locator('button.resume').click();
  await reviewed();
  expect(await review.locator('.summary').innerText()).toBe(
    'The rollout of 2 goes on from wave 2.',
  );
  await review.locator('button.confirm').click();
  await family().locator('button.halt').waitFor();
  expect(versionOf(await details(), '2').haltedReason).toBeNull();
  expect(await page.locator('glint-releases-view .notice').innerText()).toBe(
    `Resumed ${run}. The rollout of 2 goes on from wave 2.`,
  );
  expect(pageErrors).toEqual([]);
});

test('a third version retires the first; a copy its site refuses to delete shows as retiring, and why', async () => {
  const v1OnTwo = versionOf(await details(), '1').sites.find((s) => s.siteName === 'two')!;
  await openstackCli(sandboxCloud(2), ['image', 'set', '--protected', v1OnTwo.cloudImageId!]);
  protectedOnTwo.push(v1OnTwo.cloudImageId!);
  await api('POST', `/releases/${run}/versions`, { image: imageOf['3'], version: '3' });
  await family().locator('g.version[data-version="3"]').waitFor();
  await until(
    'v3 stable, v1 deleted on one and retiring on two',
    async () => {
      const now = await details();
      return (
        statesOf(versionOf(now, '3')) === 'stable,stable' &&
        statesOf(versionOf(now, '1')) === 'deleted,retiring'
      );
    },
    180_000,
    500,
  );
  await family().locator('li.version[data-version="1"] button.show').click();
  await until(
    'the view to show v1 retiring',
    async () => (await stripStates('1')) === 'one:deleted two:retiring',
    30_000,
  );
  const chip = family().locator('li.version[data-version="1"] li.site[data-site="two"]');
  expect(await chip.getAttribute('title')).toMatch(/protected/);
  expect(await family().locator('g.version[data-version="1"]').getAttribute('data-kind')).toBe(
    'retired',
  );
  expect(await family().locator('li.version[data-version="1"] button.promote').count()).toBe(0);
  await shot('releases-retiring');
});

test('a family whose waves wait for a person stops after its canary; the next wave starts after its plan', async () => {
  const manual = `${run}-manual`;
  const manualName = `${run} manual`;
  // Copied wave by wave, so that the next wave's plan shows the copy its start leads to.
  await api(
    'POST',
    '/releases',
    familyBody(manual, manualName, { manualWaves: true, prestage: false }),
  );
  await api('POST', `/releases/${manual}/versions`, { image: imageOf['m1'], version: 'm1' });
  // The new family's first event brings it into the open view.
  const row = family(manual);
  await rolledOut('m1', 'stable,missing', manual);
  await until(
    'the view to show the canary switched',
    async () => (await stripStates('m1', manual)) === 'one:stable two:missing',
    30_000,
  );
  expect(await row.locator('li.wave .count').allInnerTexts()).toEqual(['1/1', '0/1']);
  await row.locator('button.next-wave').click();
  const review = await reviewed(row);
  expect(await review.locator('.summary').innerText()).toBe(
    'The rollout of m1 may go on to wave 2.',
  );
  // The API's plan looks past the wave's start to the copy it leads to, with its bytes.
  const [line, ...more] = await review.locator('ul.changes li.copies').allInnerTexts();
  expect(more).toEqual([]);
  expect(line).toMatch(
    new RegExp(
      `^two: m1 is copied here \\(\\d+ bytes\\), then takes “${manualName}” once its wave holds it everywhere$`,
    ),
  );
  expect(await review.locator('.step').allInnerTexts()).toEqual(['Wave 2 of m1 starts.']);
  await row.scrollIntoViewIfNeeded();
  await shot('releases-next-wave-plan');
  await review.locator('button.confirm').click();
  await review.waitFor({ state: 'detached' });
  await rolledOut('m1', 'stable,stable', manual);
  await until(
    'the view to show wave 2 done',
    async () => (await stripStates('m1', manual)) === 'one:stable two:stable',
    30_000,
  );
  expect(await row.locator('button.next-wave').count()).toBe(0);
  expect(pageErrors).toEqual([]);
});

test('a reader sees the project’s families, the actions disabled with the role they need', async () => {
  const admin = await login(server, 'team-admin');
  await api(
    'POST',
    '/releases',
    { name: `${run}-team`, stableName: 'Team image', sites: { ids: [] } },
    admin,
  );
  const reader = await login(server, 'team-reader');
  const readerPage = await loggedInPage(
    browser,
    base,
    reader.cookie,
    { width: 1200, height: 700 },
    (m) => pageErrors.push(m),
  );
  await readerPage.goto(base);
  await readerPage.click('[role="tab"]:text-is("Releases")');
  const row = readerPage.locator(`glint-releases-view article[data-family="${run}-team"]`);
  await row.waitFor();
  expect(
    await readerPage.locator(`glint-releases-view article[data-family="${run}"]`).count(),
  ).toBe(0);
  // The actions stay in view, disabled, saying which role they need.
  const actions = row.locator('button.halt, button.rollback, button.promote, button.resume');
  expect(await actions.count()).toBeGreaterThan(0);
  for (const action of await actions.all()) {
    expect(await action.isDisabled()).toBe(true);
    expect(await action.getAttribute('title')).toBe(
      'Needs the member role (your role here is reader)',
    );
  }
  expect(await row.locator('.empty, li.version').count()).toBe(0);
  await readerPage.close();
  expect(pageErrors).toEqual([]);
});
