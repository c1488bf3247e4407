/**
 * <glint-plan-review> on its own in Chromium: what a plan says (copies with their source, bytes and
 * destinations, deletes, refusals with reasons, by the names the plan carries), and its Apply and
 * Back buttons firing `apply` and `cancel`, both off while busy.
 */
import type { Browser, Page } from 'playwright-core';
import type { Plan } from '@glint/api/replies';
import { launchChromium } from '../../../../test-support/browser-page';
import { componentPage } from '../../../../test-support/component-page';

const MiB = 1024 * 1024;
const ids = {
  debian: '00000000-0000-4000-8000-000000000001',
  alpine: '00000000-0000-4000-8000-000000000002',
  one: '00000000-0000-4000-8000-00000000000a',
  two: '00000000-0000-4000-8000-00000000000b',
  three: '00000000-0000-4000-8000-00000000000c',
};
const plan: Plan = {
  copies: [
    {
      imageId: ids.debian,
      source: { siteId: ids.one, cloudImageId: 'glance-1' },
      destinations: [ids.two, ids.three],
      bytes: 2 * MiB,
    },
  ],
  deletes: [{ imageId: ids.alpine, siteId: ids.two, cloudImageId: 'glance-2' }],
  refusals: [
    {
      imageId: ids.alpine,
      siteId: ids.one,
      wanted: false,
      reason: 'last_copy',
      message: 'the last copy anywhere',
    },
  ],
  unchanged: 3,
  givenBack: 1,
  bytes: 2 * MiB,
  names: {
    images: { [ids.debian]: 'debian-12', [ids.alpine]: 'alpine' },
    sites: { [ids.one]: 'one', [ids.two]: 'two', [ids.three]: 'three' },
  },
};

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  page = await componentPage(browser, pageErrors);
  await page.evaluate((plan) => {
    const review = document.createElement('glint-plan-review') as HTMLElement & { plan: unknown };
    review.plan = plan;
    const fired: string[] = [];
    for (const name of ['apply', 'cancel'])
      document.body.addEventListener(name, () => fired.push(name));
    Object.assign(window, { fired });
    document.querySelector('main')!.append(review);
  }, plan);
});

afterAll(async () => {
  await browser?.close();
});

const fired = () => page.evaluate(() => (window as unknown as { fired: string[] }).fired.splice(0));

test('it names the copies, deletes and refusals, with the bytes to read', async () => {
  const review = page.locator('glint-plan-review');
  expect(await review.locator('h3').innerText()).toBe('Plan');
  expect(await review.locator('div', { hasText: 'Copies' }).first().innerText()).toBe(
    'Copies (2.0 MiB to read):',
  );
  expect(await review.locator('ul.copies li').allInnerTexts()).toEqual([
    'debian-12 from one to two, three (2.0 MiB)',
  ]);
  expect(await review.locator('ul.deletes li').allInnerTexts()).toEqual(['alpine from two']);
  expect(await review.locator('ul.refusals li').allInnerTexts()).toEqual([
    'alpine on one: the last copy anywhere (last_copy)',
  ]);
  expect(await review.getByText('3 already so or under way.').count()).toBe(1);
  expect(await review.locator('.given-back').innerText()).toBe('1 cell given back to the rules.');
  expect(pageErrors).toEqual([]);
});

test('Apply fires apply and Back fires cancel, out of its shadow root', async () => {
  const review = page.locator('glint-plan-review');
  await review.locator('button.apply').click();
  expect(await fired()).toEqual(['apply']);
  await review.locator('button.cancel').click();
  expect(await fired()).toEqual(['cancel']);
});

test('while busy neither button can be pressed', async () => {
  await page.evaluate(() => {
    (document.querySelector('glint-plan-review') as HTMLElement & { busy: boolean }).busy = true;
  });
  const review = page.locator('glint-plan-review');
  expect(await review.locator('button.apply').isDisabled()).toBe(true);
  expect(await review.locator('button.cancel').isDisabled()).toBe(true);
  await review.locator('button.apply').click({ force: true });
  expect(await fired()).toEqual([]);
});
