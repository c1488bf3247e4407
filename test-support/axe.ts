/** Accessibility checks of a page in the real Chromium, by axe-core injected into it. */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { until } from './until';

/** A rule the page breaks, as axe-core reports it, with the elements that break it. */
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  /** Each element's selector, through shadow roots. */
  targets: string[];
}

interface AxeResults {
  violations: {
    id: string;
    impact: AxeViolation['impact'];
    help: string;
    nodes: { target: (string | string[])[] }[];
  }[];
}

/** Every rule of axe-core's default set (WCAG 2 A and AA, and best practices) the page breaks now. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated by the browser's debugging protocol, as the page's Content-Security-Policy (scripts
  // from the API only) would block a script tag with it.
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<AxeResults> } }).axe;
    const { violations } = await axe.run(document);
    return violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.flat().join(' >>> ')),
    }));
  });
}

/**
 * The violations of impact serious or critical, which the panel's browser tests allow none of,
 * once the grid's rows have finished fading in or out: axe judges a half-faded row's contrast as
 * it stands at that instant.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await until(
    'the rows to finish fading',
    () =>
      page
        .locator('[role="row"]')
        .evaluateAll((rows) => rows.every((row) => getComputedStyle(row).opacity === '1')),
    5_000,
    50,
  );
  return (await axeViolations(page)).filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
}
