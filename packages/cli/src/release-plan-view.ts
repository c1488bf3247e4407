import type { ReleasePlan } from '@glint/api/replies';
import { formatBytes } from '@glint/core/client';
import { renderTable } from './table';

const words = (changes: { text: string }[]) => changes.map((c) => c.text).join('; ');

/**
 * A release action's plan as the API gives it: its summary, a row per site (its wave, the version
 * holding the stable name there now, what happens there and what the action withholds), the
 * family's own next steps, and the bytes copied.
 */
export function renderReleasePlan(plan: ReleasePlan): string {
  const rows = plan.sites.map((site) => [
    site.siteName,
    site.wave >= 0 ? site.wave + 1 : '-',
    site.holds,
    [
      site.changes.length > 0 ? words(site.changes) : 'nothing',
      ...(site.withheld.length > 0 ? [`withheld: ${words(site.withheld)}`] : []),
    ].join('; '),
  ]);
  return [
    plan.summary,
    '',
    renderTable(['SITE', 'WAVE', 'HOLDS NOW', 'WHAT HAPPENS'], rows),
    ...plan.steps.map((step) => `${step.text}.`),
    `${formatBytes(plan.bytes, 'terminal')} to copy. Dry run: nothing was changed.`,
  ].join('\n');
}
