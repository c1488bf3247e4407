/**
 * <glint-release-timeline> and <glint-release-plan-review> on their own in Chromium, with a family as
 * GET /releases/:family describes it: the versions drawn by D3 at their publish dates with their
 * channels, clicks firing `version-selected`, and the API's plan of an action naming what changes
 * on which site before Confirm fires `confirm`. Screenshot: test-output/panel/release-timeline.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../test-support/browser-page';
import { componentPage } from '../../../../test-support/component-page';
import type { ReleasePlan } from '@glint/api/replies';
import { releaseFixture } from '../release-fixture';

const screenshots = join(__dirname, '../../../../test-output/panel');
const details = releaseFixture();
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
  page = await componentPage(browser, pageErrors);
  await page.evaluate((details) => {
    const timeline = document.createElement('glint-release-timeline') as HTMLElement &
      Record<string, unknown>;
    Object.assign(timeline, {
      versions: details.versions,
      followed: details.versions[0]!.id,
      selected: details.versions[1]!.id,
      label: 'Versions of atlas-worker',
    });
    const fired: unknown[] = [];
    for (const name of ['version-selected', 'confirm', 'cancel'])
      document.body.addEventListener(name, (e) => fired.push([name, (e as CustomEvent).detail]));
    Object.assign(window, { fired });
    document.querySelector('main')!.append(timeline);
  }, details);
});

afterAll(async () => {
  await browser?.close();
});

const fired = () =>
  page.evaluate(() => (window as unknown as { fired: unknown[] }).fired.splice(0));

test('each version is drawn at its date, in time order, with the channels pointing at it', async () => {
  const marks = page.locator('glint-release-timeline g.version');
  expect(await marks.count()).toBe(3);
  const drawn = await marks.evaluateAll((gs) =>
    gs.map((g) => ({
      version: g.getAttribute('data-version'),
      kind: g.getAttribute('data-kind'),
      x: (g as SVGGElement).transform.baseVal.consolidate()!.matrix.e,
      channels: g.querySelector('text.channels')!.textContent,
      selected: g.classList.contains('selected'),
    })),
  );
  expect(
    drawn.map(({ version, kind, channels, selected }) => [version, kind, channels, selected]),
  ).toEqual([
    ['2026.12.06', 'followed', 'latest', false],
    ['2026.11.29', 'kept', 'stable', true],
    ['2026.11.22', 'retired', '', false],
  ]);
  // A week apart each: the newer the further right, at equal steps.
  const [newest, middle, oldest] = drawn.map((d) => d.x);
  expect(newest! > middle! && middle! > oldest!).toBe(true);
  expect(Math.abs(newest! - middle! - (middle! - oldest!))).toBeLessThan(1);
  expect(await page.locator('glint-release-timeline svg').getAttribute('aria-label')).toBe(
    'Versions of atlas-worker: 2026.12.06 on 2026-12-06 (latest); 2026.11.29 on 2026-11-29 (stable); 2026.11.22 on 2026-11-22',
  );
  await page.locator('glint-release-timeline g.version[data-version="2026.11.22"] circle').click();
  expect(await fired()).toEqual([['version-selected', 'v-2026.11.22']]);
});

/** A promote's plan as POST /releases/:family/promote/plan replies for the fixture's family. */
const promotePlan: ReleasePlan = {
  family: 'atlas-worker',
  action: 'promote',
  channel: 'latest',
  version: '2026.11.29',
  summary: 'Channel latest points at 2026.11.29, which the stable name follows.',
  sites: [
    {
      siteId: 's-canary',
      siteName: 'canary',
      wave: 0,
      holds: '2026.12.06',
      changes: [
        {
          kind: 'switch',
          version: '2026.11.29',
          bytes: null,
          text: '2026.11.29 takes “ATLAS worker”',
        },
        {
          kind: 'hide',
          version: '2026.12.06',
          bytes: null,
          text: '2026.12.06 becomes “ATLAS worker (2026.12.06)”, hidden',
        },
      ],
      withheld: [],
    },
    { siteId: 's-two', siteName: 'two', wave: 1, holds: '2026.11.29', changes: [], withheld: [] },
    {
      siteId: 's-three',
      siteName: 'three',
      wave: 1,
      holds: '2026.11.29',
      changes: [],
      withheld: [],
    },
  ],
  steps: [],
  bytes: 0,
};

test('while the API works the plan out, it says so and cannot be confirmed', async () => {
  await page.evaluate(() => {
    const review = document.createElement('glint-release-plan-review') as HTMLElement & {
      action: string;
    };
    review.action = 'promote';
    document.querySelector('main')!.append(review);
  });
  const review = page.locator('glint-release-plan-review');
  expect(await review.locator('.summary').innerText()).toBe('Working out the plan…');
  expect(await review.locator('button.confirm').isDisabled()).toBe(true);
});

test('a promote’s plan names each site’s change before Confirm fires confirm', async () => {
  await page.evaluate((plan) => {
    (document.querySelector('glint-release-plan-review') as HTMLElement & { plan: unknown }).plan =
      plan;
  }, promotePlan);
  const review = page.locator('glint-release-plan-review');
  expect(await review.locator('h3').innerText()).toBe('Plan: Promote');
  expect(await review.locator('ul.changes li').allInnerTexts()).toEqual([
    'canary: 2026.11.29 takes “ATLAS worker”; 2026.12.06 becomes “ATLAS worker (2026.12.06)”, hidden',
  ]);
  expect(await review.locator('.unchanged').innerText()).toBe('2 site(s) stay as they are.');
  await page.locator('main').screenshot({ path: join(screenshots, 'release-timeline.png') });
  await review.locator('button.confirm').click();
  await review.locator('button.cancel').click();
  expect(await fired()).toEqual([
    ['confirm', null],
    ['cancel', null],
  ]);
});

test('a halt’s plan shows what it withholds, a resume’s the bytes it copies', async () => {
  const [canary, two, three] = promotePlan.sites;
  const halt: ReleasePlan = {
    ...promotePlan,
    action: 'halt',
    channel: null,
    summary: 'The rollout of 2026.12.06 stops where it is.',
    sites: [
      canary!,
      {
        ...two!,
        withheld: [
          {
            kind: 'copy' as const,
            version: '2026.12.06',
            bytes: 3 << 20,
            text: '2026.12.06 is copied here (3145728 bytes)',
          },
        ],
      },
      three!,
    ].map((site) => ({ ...site, changes: [] })),
  };
  await page.evaluate((plan) => {
    Object.assign(document.querySelector('glint-release-plan-review')!, {
      action: 'halt',
      plan,
    });
  }, halt);
  const review = page.locator('glint-release-plan-review');
  expect(await review.locator('ul.changes li').allInnerTexts()).toEqual([
    'two: nothing now; withheld: 2026.12.06 is copied here (3145728 bytes)',
  ]);
  const resume: ReleasePlan = {
    ...halt,
    action: 'resume',
    sites: halt.sites.map((site) => ({ ...site, changes: site.withheld, withheld: [] })),
    steps: [{ kind: 'wave-done', version: '2026.12.06', text: 'Wave 2 of 2026.12.06 is done' }],
    bytes: 3 << 20,
  };
  await page.evaluate((plan) => {
    Object.assign(document.querySelector('glint-release-plan-review')!, {
      action: 'resume',
      plan,
    });
  }, resume);
  expect(await review.locator('ul.changes li.copies').allInnerTexts()).toEqual([
    'two: 2026.12.06 is copied here (3145728 bytes)',
  ]);
  expect(await review.locator('.step').innerText()).toBe('Wave 2 of 2026.12.06 is done.');
  expect(await review.locator('.bytes').innerText()).toBe('3.0 MiB to copy.');
});

test('an action the API refuses says why and cannot be confirmed', async () => {
  await page.evaluate(() => {
    Object.assign(document.querySelector('glint-release-plan-review')!, {
      action: 'rollback',
      plan: null,
      refusal: 'channel latest of atlas-worker has no earlier version to go back to',
    });
  });
  const review = page.locator('glint-release-plan-review');
  expect(await review.locator('.refusal').innerText()).toBe(
    'Cannot roll back: channel latest of atlas-worker has no earlier version to go back to',
  );
  expect(await review.locator('button.confirm').isDisabled()).toBe(true);
  expect(pageErrors).toEqual([]);
});
