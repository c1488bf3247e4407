import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client';
import type { Applied, Plan, PlanBody, RulePlan, SavedRule } from '@glint/api/replies';
import { action, collect, examples } from '../command-kit';
import type { Context } from '../context';
import { desiredState } from '../desired-state';
import { CliError } from '../errors';
import { watchJobs } from '../job-watch';
import { parsePlacementsFile } from '../placements-file';
import { renderApplied, renderPlan } from '../plan-view';
import type { WrittenRule } from '../rule-definition';
import { renderRulePlan } from '../rule-view';
import { listImages, listSites, resolveImage, resolveSites } from '../resolve';
import { jobRowsTable, jobsOutcome } from './jobs';
import { preview, saveRule, savedText } from './rules';

interface ApplyOptions {
  file: string;
  force?: boolean;
  wait?: boolean;
}

const waitHelp = 'follow the jobs with progress bars until they end; exit 1 if any fails';

export function placementCommands(program: Command): void {
  examples(
    program
      .command('place')
      .summary('Want an image on sites: copies it there from a site that has it')
      .description(
        'Want an image on sites: copies it there from a site that has it. A hand decision like this ' +
          'overrides the standing rules for those cells; --by-rules clears it instead, giving the cells ' +
          'back to the rules: a rule that implies the cell copies the image back, and with no rule the ' +
          'cell is merely no longer decided (a copy there stays).',
      )
      .argument('<image>', 'name or id')
      .requiredOption('--on <site>', 'a site (repeatable, or comma-separated)', collect)
      .option('--by-rules', 'give the cells back to the standing rules: clear the hand decision')
      .option('--wait', waitHelp)
      .action(
        action(
          async (
            ctx: Context,
            image: string,
            options: { on: string[]; byRules?: boolean; wait?: boolean },
          ) => change(ctx, image, options.on, options.byRules ? null : true, options),
        ),
      ),
    [
      'glint place cirros-0.6.2 --on east --on west',
      'glint place cirros-0.6.2 --on east,west --wait',
      'glint place cirros-0.6.2 --on east --by-rules',
    ],
  );
  examples(
    program
      .command('unplace')
      .summary('Want an image off sites: deletes the copies there')
      .description(
        'Want an image off sites: deletes the copies there. The last copy anywhere is kept unless --force.',
      )
      .argument('<image>', 'name or id')
      .requiredOption('--from <site>', 'a site (repeatable, or comma-separated)', collect)
      .option('--force', 'delete even the last copy of the image anywhere')
      .option('--wait', waitHelp)
      .action(
        action(
          async (
            ctx: Context,
            image: string,
            options: { from: string[]; force?: boolean; wait?: boolean },
          ) => change(ctx, image, options.from, false, options),
        ),
      ),
    [
      'glint unplace cirros-0.6.2 --from west',
      'glint unplace old-image --from east --force --wait',
    ],
  );
  examples(
    program
      .command('plan')
      .summary('Show what a placements file would change')
      .description(
        'Show what a placements file would change: copies (+), deletes (-) and refusals (!), and what each ' +
          'standing rule of its rules: section would imply now. Changes nothing. ' +
          'The file format is in examples/placements.yaml.',
      )
      .requiredOption('-f, --file <file>', 'the placements file (YAML)')
      .option('--force', 'plan deletes of last copies too')
      .action(action((ctx: Context, options: ApplyOptions) => fromFile(ctx, options, false))),
    ['glint plan -f placements.yaml', 'glint plan -f placements.yaml --json'],
  );
  examples(
    program
      .command('apply')
      .summary('Make a placements file the desired state')
      .description(
        'Make a placements file the desired state: creates or replaces the standing rules of its rules: ' +
          'section (rules it leaves out stay), records its placements and queues the copies and deletes they ' +
          'need; the rules’ copies are queued by Glint as it reconciles. ' +
          'Exits 1 if anything was refused, or with --wait if a placement’s job fails.',
      )
      .requiredOption('-f, --file <file>', 'the placements file (YAML)')
      .option('--force', 'delete even the last copy of an image anywhere')
      .option('--wait', waitHelp)
      .action(action((ctx: Context, options: ApplyOptions) => fromFile(ctx, options, true))),
    ['glint apply -f placements.yaml', 'glint apply -f placements.yaml --wait'],
  );
}

async function change(
  ctx: Context,
  imageRef: string,
  siteRefs: string[],
  /** null: no hand decision, the rules decide. */
  wanted: boolean | null,
  options: { force?: boolean; wait?: boolean },
): Promise<void> {
  const client = await ctx.client();
  const { row } = await resolveImage(client, imageRef);
  const sites = await resolveSites(client, siteRefs);
  const body: PlanBody = {
    changes: sites.map((site) => ({ image: row.id, site: site.id, wanted })),
    ...(options.force ? { force: true } : {}),
  };
  await applyBody(ctx, client, body, options.wait);
}

async function fromFile(ctx: Context, options: ApplyOptions, apply: boolean): Promise<void> {
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${options.file}: ${(error as Error).message}`);
  }
  const spec = parsePlacementsFile(text, options.file);
  const client = await ctx.client();
  const [sites, images] = await Promise.all([listSites(client), listImages(client)]);
  // Checked before any rule is saved, so a mistake in the placements changes nothing.
  const state = desiredState(spec, sites, images.rows);
  for (const warning of state.warnings) ctx.note(`warning: ${warning}`);
  const rules = apply
    ? await saveRules(client, spec.standingRules)
    : await previewRules(client, spec.standingRules);
  if (state.desired.length === 0) {
    const nothing = spec.rules.length > 0 ? 'The placements select no image: nothing to do.' : '';
    ctx.result({ ...emptyPlan, warnings: state.warnings, ...rules.json }, () =>
      joined(rules.text, nothing),
    );
    return;
  }
  const body: PlanBody = { desired: state.desired, force: spec.force || Boolean(options.force) };
  if (!apply) {
    const plan = await client.request<Plan>('POST', '/plan', { json: body });
    ctx.result({ ...plan, warnings: state.warnings, ...rules.json }, () =>
      joined(rules.text, renderPlan(plan)),
    );
    return;
  }
  await applyBody(ctx, client, body, options.wait, rules);
}

/** Parts of a text for people, a blank line between those there are. */
const joined = (...parts: string[]) => parts.filter(Boolean).join('\n\n');

/** A file's rules as saved or previewed: the output's `rules` key (none without rules), and text. */
interface RulesOutcome {
  json: { rules?: unknown[] };
  text: string;
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
async function previewRules(client: ApiClient, rules: WrittenRule[]): Promise<RulesOutcome> {
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
async function saveRules(client: ApiClient, rules: WrittenRule[]): Promise<RulesOutcome> {
  if (rules.length === 0) return { json: {}, text: '' };
  const saved: SavedRule[] = [];
  for (const rule of rules) saved.push(await saveRule(client, rule.name, rule.body));
  return { json: { rules: saved }, text: joined(...saved.map(savedText)) };
}

/** PUT /placements; with `wait`, the event stream is opened first so no job's end is missed. */
async function applyBody(
  ctx: Context,
  client: ApiClient,
  body: PlanBody,
  wait: boolean | undefined,
  rules: RulesOutcome = { json: {}, text: '' },
): Promise<void> {
  const abort = new AbortController();
  try {
    const events = wait ? await client.events(abort.signal) : undefined;
    const applied = await client.request<Applied>('PUT', '/placements', { json: body });
    if (!events || applied.jobs.length === 0) {
      ctx.result({ ...applied, ...rules.json }, () => joined(rules.text, renderApplied(applied)));
      refusalsOutcome(applied);
      return;
    }
    if (!ctx.json) ctx.note(joined(rules.text, renderApplied(applied)));
    const rows = await watchJobs(client, {
      jobIds: applied.jobs.map((j) => j.id),
      events,
      display: !ctx.json,
    });
    ctx.result({ ...applied, ...rules.json, results: rows }, () => jobRowsTable(rows));
    refusalsOutcome(applied);
    jobsOutcome(rows);
  } finally {
    abort.abort();
  }
}

function refusalsOutcome(plan: Plan): void {
  if (plan.refusals.length > 0) {
    throw new CliError(
      `${plan.refusals.length} change${plan.refusals.length === 1 ? ' was' : 's were'} refused (see "! refused" above): ` +
        'a delete of the last copy needs --force; a copy needs a site that holds the image',
    );
  }
}
