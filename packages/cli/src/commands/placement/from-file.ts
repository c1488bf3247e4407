import { readFile } from 'node:fs/promises';
import type { ApiClient } from '../../api-client';
import type { Plan, PlanBody, RulePlan, SavedRule } from '@glint/api/replies';
import type { Context } from '../../context';
import { desiredState } from '../../desired-state';
import { CliError } from '../../errors';
import { renderPlan } from '../../plan-view';
import type { WrittenRule } from '../../rule-definition';
import { renderRulePlan } from '../../rule-view';
import { listImages, listSites } from '../../resolve';
import { preview, saveRule, savedText } from '../rules';
import { applyBody, joined, type SectionOutcome } from './applying';
import { applyFamilies, familiesPlanned, planFileFamilies } from './families';

// The placements file's parser loads TypeBox, Ajv and yaml, which took most of glint's start-up
// time: loaded when plan or apply reads a file, so that the other commands start without them.
const placementsFile = () =>
  require('../../placements-file') as typeof import('../../placements-file');

export interface ApplyOptions {
  file: string;
  force?: boolean;
  wait?: boolean;
}

/** A placements file planned, or (apply) made the desired state. */
export async function fromFile(ctx: Context, options: ApplyOptions, apply: boolean): Promise<void> {
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${options.file}: ${(error as Error).message}`);
  }
  const spec = placementsFile().parsePlacementsFile(text, options.file);
  const client = await ctx.client();
  const [sites, images] = await Promise.all([listSites(client), listImages(client)]);
  // Checked before any rule or family is saved, so a mistake in the placements changes nothing.
  const state = desiredState(spec, sites, images.rows);
  for (const warning of state.warnings) ctx.note(`warning: ${warning}`);
  const familyChanges = await planFileFamilies(client, spec.families);
  const rules = apply
    ? await saveRules(client, spec.standingRules)
    : await previewRules(client, spec.standingRules);
  const families = apply
    ? await applyFamilies(client, familyChanges)
    : familiesPlanned(familyChanges);
  const sections: SectionOutcome = {
    json: { ...rules.json, ...families.json },
    text: joined(rules.text, families.text),
  };
  if (state.desired.length === 0) {
    const nothing = spec.rules.length > 0 ? 'The placements select no image: nothing to do.' : '';
    ctx.result({ ...emptyPlan, warnings: state.warnings, ...sections.json }, () =>
      joined(sections.text, nothing),
    );
    return;
  }
  const body: PlanBody = { desired: state.desired, force: spec.force || Boolean(options.force) };
  if (!apply) {
    const plan = await client.request<Plan>('POST', '/plan', { json: body });
    ctx.result({ ...plan, warnings: state.warnings, ...sections.json }, () =>
      joined(sections.text, renderPlan(plan)),
    );
    return;
  }
  await applyBody(ctx, client, body, options.wait, sections);
}

const emptyPlan = {
  copies: [],
  deletes: [],
  refusals: [],
  unchanged: 0,
  givenBack: 0,
  bytes: 0,
  names: { images: {}, sites: {} },
  jobs: [],
};

/** What each of the file's rules would imply now (POST /rules/{name}/preview), saving nothing. */
async function previewRules(client: ApiClient, rules: WrittenRule[]): Promise<SectionOutcome> {
  if (rules.length === 0) return { json: {}, text: '' };
  const previews: { name: string; plan: RulePlan }[] = [];
  for (const rule of rules)
    previews.push({ name: rule.name, plan: await preview(client, rule.name, rule.body) });
  return {
    json: { rules: previews },
    text: joined(
      ...previews.map((p) => `Rule ${p.name} would imply now:\n${renderRulePlan(p.plan)}`),
    ),
  };
}

/** Creates or replaces each of the file's rules, in its order, with what each implies now. */
async function saveRules(client: ApiClient, rules: WrittenRule[]): Promise<SectionOutcome> {
  if (rules.length === 0) return { json: {}, text: '' };
  const saved: SavedRule[] = [];
  for (const rule of rules) saved.push(await saveRule(client, rule.name, rule.body));
  return { json: { rules: saved }, text: joined(...saved.map(savedText)) };
}
