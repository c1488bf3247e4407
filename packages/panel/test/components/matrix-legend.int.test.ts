/**
 * <glint-matrix-legend> on its own in Chromium: an entry per cell state with the cells' own icon,
 * word and meaning, each state a colour of its own, the wanted tick, and the marks of a rule's
 * placement and of a hand tick over a rule, drawn by the same styles as the matrix's cells.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../test-support/browser-page';
import { componentPage } from '../../../../test-support/component-page';
import { stateLooks } from '../../src/matrix/cell-display';

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  page = await componentPage(browser, pageErrors);
  await page.evaluate(() =>
    document.querySelector('main')!.append(document.createElement('glint-matrix-legend')),
  );
});

afterAll(async () => {
  await browser?.close();
});

test('every state has an entry with its icon, word and meaning', async () => {
  const entries = page.locator(
    'glint-matrix-legend .entry:has(.cell[data-state]:not([data-hidden]))',
  );
  const shown = await entries.evaluateAll((elements) =>
    elements.map((entry) => {
      const cell = entry.querySelector('.cell')!;
      return {
        state: cell.getAttribute('data-state'),
        icon: cell.getAttribute('data-icon'),
        label: cell.textContent!.trim(),
        meaning: entry.getAttribute('title'),
      };
    }),
  );
  expect(shown).toEqual(
    Object.entries(stateLooks).map(([state, look]) => ({
      state,
      icon: look.icon,
      label: look.label,
      meaning: look.meaning,
    })),
  );
  expect(pageErrors).toEqual([]);
});

test('the cells’ styles apply: each state its own colour, the icon drawn before the word', async () => {
  const stateCells = page.locator('glint-matrix-legend .cell[data-state]:not([data-hidden])');
  const looks = await stateCells.evaluateAll((cells) =>
    cells.map((cell) => ({
      background: getComputedStyle(cell).backgroundColor,
      icon: getComputedStyle(cell, '::before').content,
    })),
  );
  expect(new Set(looks.map((look) => look.background)).size).toBe(looks.length);
  for (const [i, look] of looks.entries())
    expect(look.icon).toContain(Object.values(stateLooks)[i]!.icon);
});

test('a hidden copy has an entry of its own: a present cell with a dashed edge', async () => {
  const hidden = page.locator('glint-matrix-legend .entry:has(.cell[data-hidden="true"])');
  expect(await hidden.innerText()).toBe('hidden');
  expect(await hidden.getAttribute('title')).toMatch(/os_hidden/);
  const edge = await hidden.locator('.cell').evaluate((cell) => getComputedStyle(cell).borderStyle);
  expect(edge).toBe('dashed');
});

test('the wanted tick has an entry of its own', async () => {
  const wanted = page.locator('glint-matrix-legend .entry:has(.cell.wanted)');
  expect(await wanted.innerText()).toBe('wanted on the site');
  const tick = await wanted
    .locator('.cell')
    .evaluate((cell) => getComputedStyle(cell, '::after').content);
  expect(tick).not.toBe('none');
});

test('a rule’s placement and a hand tick over a rule have entries, each its own edge colour', async () => {
  const marks = await page
    .locator('glint-matrix-legend .entry:has(.cell[data-placed])')
    .evaluateAll((entries) =>
      entries.map((entry) => ({
        text: (entry as HTMLElement).innerText,
        edge: getComputedStyle(entry.querySelector('.cell')!).boxShadow,
      })),
    );
  expect(marks.map((mark) => mark.text)).toEqual(['by a rule', 'by hand over a rule']);
  // Each a coloured inset bar, the two apart.
  for (const mark of marks) expect(mark.edge).toMatch(/rgb\(\d+, \d+, \d+\) 4px 0px 0px 0px inset/);
  expect(marks[0]!.edge).not.toBe(marks[1]!.edge);
});
