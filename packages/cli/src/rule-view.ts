/** Standing rules and what they imply, for people. */
import { selectorText } from '@glint/core/client';
import type { Rule, RulePlan } from '@glint/api/replies';
import { renderFields } from './table';

/** A rule's plan as a diff: `+` copies the rule wants, `-` copies it deletes, then counts. */
export function renderRulePlan(plan: RulePlan): string {
  const lines = [
    ...plan.copies.map((c) => `+ copy   ${c.imageName} to ${c.siteName}`),
    ...plan.deletes.map((d) => `- delete ${d.imageName} from ${d.siteName}`),
  ];
  lines.push(
    `${plan.copies.length} cop${plan.copies.length === 1 ? 'y' : 'ies'}, ` +
      `${plan.deletes.length} delete${plan.deletes.length === 1 ? '' : 's'}.`,
  );
  return lines.join('\n');
}

/** One rule, field by field. */
export function renderRule(rule: Rule, siteName?: (id: string) => string): string {
  return renderFields([
    ['name', rule.name],
    ['description', rule.description],
    ['images', selectorText(rule.images)],
    ['sites', selectorText(rule.sites, siteName)],
    ['prune', rule.prune ? 'yes: deletes what it placed once it no longer implies it' : 'no'],
    ['updated', rule.updatedAt],
    ['created', rule.createdAt],
  ]);
}
