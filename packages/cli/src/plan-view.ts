import type { Applied, Plan } from '@glint/api/replies';
import { renderTable } from './table';
import { formatBytes } from '@glint/core/client';

/** A plan as a diff: `+` copies, `-` deletes, `!` refusals, then a summary line. */
export function renderPlan(plan: Plan): string {
  // The plan names the images and sites it mentions.
  const names = {
    image: (id: string) => plan.names.images[id] ?? id,
    site: (id: string) => plan.names.sites[id] ?? id,
  };
  const lines: string[] = [];
  for (const copy of plan.copies) {
    lines.push(
      `+ copy   ${names.image(copy.imageId)} (${formatBytes(copy.bytes, 'terminal')}) from ${names.site(copy.source.siteId)} to ${copy.destinations.map((d) => names.site(d)).join(', ')}`,
    );
  }
  for (const del of plan.deletes) {
    lines.push(`- delete ${names.image(del.imageId)} from ${names.site(del.siteId)}`);
  }
  for (const refusal of plan.refusals) {
    lines.push(
      `! refused: ${refusal.wanted ? 'copy' : 'delete'} ${names.image(refusal.imageId)} ${refusal.wanted ? 'to' : 'from'} ${names.site(refusal.siteId)}: ${refusal.message} [${refusal.reason}]`,
    );
  }
  const destinations = plan.copies.reduce((n, c) => n + c.destinations.length, 0);
  lines.push(
    `${destinations} cop${destinations === 1 ? 'y' : 'ies'} (${formatBytes(plan.bytes, 'terminal')} to read), ` +
      `${plan.deletes.length} delete${plan.deletes.length === 1 ? '' : 's'}, ` +
      `${plan.refusals.length} refused, ${plan.unchanged} unchanged.` +
      (plan.givenBack > 0
        ? ` ${plan.givenBack} cell${plan.givenBack === 1 ? '' : 's'} given back to the rules.`
        : ''),
  );
  return lines.join('\n');
}

export function renderApplied(applied: Applied): string {
  const jobs = applied.jobs.length
    ? `\n\n${renderTable(
        ['JOB', 'OPERATION'],
        applied.jobs.map((j) => [j.id, j.operation]),
      )}`
    : '';
  return `${renderPlan(applied)}${jobs}`;
}
