import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { RemovalPlan, Rule, RulePlan, SavedRule } from '@glint/api/replies';
import { labelProblems, selectorIsEmpty, selectorText } from '@glint/core/client';
import type { ApiClient } from '../api-client';
import { action, collect, examples } from '../command-kit';
import type { Context } from '../context';
import { CliError, UsageError } from '../errors';
import { keyValues } from '../labels';
import { confirm } from '../prompt';
import { findSite, listSites } from '../resolve';
import type { RuleBody, RuleFileData } from '../rule-definition';
import { ruleNamePattern, ruleNameWords } from '../rule-name';
import { renderRule, renderRulePlan } from '../rule-view';
import { renderTable } from '../table';

// A rule file's parser loads TypeBox, Ajv and yaml, which took most of glint's start-up time:
// only `glint rule set -f` needs them, so they are loaded when it runs.
const ruleDefinition = () => require('../rule-definition') as typeof import('../rule-definition');
const yamlFile = () => require('../yaml-file') as typeof import('../yaml-file');

interface SetOptions {
  file?: string;
  description?: string;
  imageName?: string[];
  imageProperty?: string[];
  imageId?: string[];
  siteLabel?: string[];
  siteType?: string[];
  siteRegion?: string[];
  site?: string[];
  prune?: boolean;
}

const rulePath = (name: string) => `/rules/${encodeURIComponent(name)}`;

/**
 * Standing rules: "images like this belong on sites like that", kept true by Glint as images and
 * sites come and go. Writing and removing them needs the admin role.
 */
export function ruleCommands(program: Command): void {
  const rule = program
    .command('rule')
    .description(
      'Standing rules: images their selector picks belong on the sites theirs picks, now and later.',
    );

  examples(
    rule.command('list').alias('ls').description('Your project’s rules.').action(action(listRules)),
    ['glint rule list', 'glint rule list --json'],
  );

  examples(
    rule
      .command('show')
      .description('One rule, and what it implies now (copies it wants that are not there yet).')
      .argument('<name>', 'the rule’s name')
      .action(action(showRule)),
    ['glint rule show base-on-prod'],
  );

  ruleSetCommand(rule);

  examples(
    rule
      .command('rm')
      .alias('remove')
      .summary('Remove a rule')
      .description(
        'Remove a rule. First shows what the removal does: a pruning rule’s copies are deleted ' +
          'with it, which is asked about (or --yes); a rule that does not prune leaves its copies. ' +
          'Needs the admin role.',
      )
      .argument('<name>', 'the rule’s name')
      .option('--yes', 'remove it without asking, even when copies are deleted')
      .action(action(removeRule)),
    ['glint rule rm base-on-prod', 'glint rule rm base-on-prod --yes'],
  );
}

/** glint rule set: a rule from selector flags or a YAML file. */
function ruleSetCommand(rule: Command): void {
  examples(
    rule
      .command('set')
      .summary('Create or replace a rule')
      .description(
        'Create a rule, or replace it whole: from selector flags, or from a YAML file holding one ' +
          'rule (name, description, images, sites, prune; see examples/placements.yaml). Every ' +
          'selector field given must match; repeated values of one field are alternatives. Prints ' +
          'what the rule implies now. Needs the admin role.',
      )
      .argument('[name]', `the rule's name: ${ruleNameWords}`)
      .addOption(
        new Option('-f, --file <file>', 'a YAML file holding the rule').conflicts([
          'imageName',
          'imageProperty',
          'imageId',
          'siteLabel',
          'siteType',
          'siteRegion',
          'site',
        ]),
      )
      .option('--description <text>', 'what the rule is for')
      .option(
        '--image-name <glob>',
        'images named so (* any characters, ? one); repeatable',
        collect,
      )
      .option(
        '--image-property <key=value>',
        'images with this Glance property; repeatable',
        collect,
      )
      .option('--image-id <id>', 'this image; repeatable', collect)
      .option('--site-label <key=value>', 'sites with this label; repeatable', collect)
      .option('--site-type <type>', 'sites of this type (openstack, ec2); repeatable', collect)
      .option('--site-region <region>', 'sites in this region; repeatable', collect)
      .option('--site <site>', 'this site, by name or id; repeatable', collect)
      .option(
        '--prune',
        'delete the copies the rule placed once it no longer implies them (without it they stay, wanted by nobody)',
      )
      .action(action(setRule)),
    [
      'glint rule set base-on-prod --image-name "ubuntu-*" --image-name "debian-12-*" --site-label tier=prod --prune',
      'glint rule set gpu --image-property hw_gpu=true --site-type openstack --site-region RegionOne',
      'glint rule set -f rule.yaml',
    ],
  );
}

/** Site names by id, for selectors that name sites by id. */
async function siteNames(client: ApiClient): Promise<(id: string) => string> {
  const sites = await listSites(client);
  return (id) => sites.find((s) => s.id === id)?.name ?? id;
}

async function listRules(ctx: Context): Promise<void> {
  const client = await ctx.client();
  const [{ rules }, siteName] = await Promise.all([
    client.get<{ rules: Rule[] }>('/rules'),
    siteNames(client),
  ]);
  ctx.result(rules, () =>
    rules.length === 0
      ? 'No rules yet: add one with glint rule set.'
      : renderTable(
          ['NAME', 'IMAGES', 'SITES', 'PRUNE', 'UPDATED'],
          rules.map((r) => [
            r.name,
            selectorText(r.images),
            selectorText(r.sites, siteName),
            r.prune ? 'yes' : 'no',
            r.updatedAt,
          ]),
        ),
  );
}

async function showRule(ctx: Context, name: string): Promise<void> {
  const client = await ctx.client();
  const found = await client.get<Rule>(rulePath(name));
  const [plan, siteName] = await Promise.all([
    preview(client, name, {
      description: found.description,
      images: found.images,
      sites: found.sites,
      prune: found.prune,
    }),
    siteNames(client),
  ]);
  ctx.result(
    { rule: found, plan },
    () => `${renderRule(found, siteName)}\n\nIt implies now:\n${renderRulePlan(plan)}`,
  );
}

export function preview(client: ApiClient, name: string, body: RuleBody): Promise<RulePlan> {
  return client.request<RulePlan>('POST', `${rulePath(name)}/preview`, { json: body });
}

export function saveRule(client: ApiClient, name: string, body: RuleBody): Promise<SavedRule> {
  return client.request<SavedRule>('PUT', rulePath(name), { json: body });
}

/** What `glint rule set` saved, for people. */
export function savedText(saved: SavedRule): string {
  return `${saved.created ? 'Created' : 'Replaced'} rule ${saved.rule.name}. It implies now:\n${renderRulePlan(saved.plan)}`;
}

async function setRule(ctx: Context, nameArg: string | undefined, options: SetOptions) {
  const { name, body } = options.file
    ? await ruleFromFile(options.file, nameArg)
    : { name: nameArg, body: undefined };
  if (!name) throw new UsageError('name the rule: glint rule set NAME … (or name: in the file)');
  if (!new RegExp(ruleNamePattern).test(name))
    throw new UsageError(`"${name}" is not a rule name: use ${ruleNameWords}`);
  const client = await ctx.client();
  const rule = body ?? (await ruleFromFlags(client, options));
  const saved = await saveRule(client, name, rule);
  ctx.result(saved, () => savedText(saved));
}

/** A rule file: one rule, whose name the command line may give instead. */
async function ruleFromFile(file: string, nameArg: string | undefined) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const { RuleFileSchema, ruleBody, ruleProblems } = ruleDefinition();
  const { data } = yamlFile().parseYamlFile<RuleFileData>(text, file, {
    schema: RuleFileSchema,
    what: 'a valid rule file',
    seeAlso: 'the rules: section of examples/placements.yaml',
    check: (rule) => ruleProblems(ruleBody(rule)),
  });
  if (nameArg && data.name && nameArg !== data.name)
    throw new UsageError(
      `${file} names the rule ${data.name}, the command line ${nameArg}: say one`,
    );
  return { name: nameArg ?? data.name, body: ruleBody(data) };
}

/** The rule the flags describe; site names are looked up, as rules keep site ids. */
async function ruleFromFlags(client: ApiClient, options: SetOptions): Promise<RuleBody> {
  const map = (option: string, values: string[] | undefined) => values && keyValues(option, values);
  const sites = options.site?.length ? await listSites(client) : [];
  const body: RuleBody = {
    ...(options.description !== undefined ? { description: options.description } : {}),
    images: defined({
      names: options.imageName,
      properties: map('--image-property', options.imageProperty),
      ids: options.imageId,
    }),
    sites: defined({
      labels: map('--site-label', options.siteLabel),
      types: options.siteType,
      regions: options.siteRegion,
      ids: options.site?.map((ref) => findSite(sites, ref).id),
    }),
    prune: Boolean(options.prune),
  };
  const problems = labelProblems(body.sites.labels ?? {}).map((text) => `--site-label: ${text}`);
  if (selectorIsEmpty(body.images))
    problems.push('no image selector: give --image-name, --image-property or --image-id');
  if (selectorIsEmpty(body.sites))
    problems.push('no site selector: give --site-label, --site-type, --site-region or --site');
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return body;
}

/** The fields given, without those left undefined. */
function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

async function removeRule(ctx: Context, name: string, options: { yes?: boolean }): Promise<void> {
  const client = await ctx.client();
  const plan = await client.get<RemovalPlan>(`${rulePath(name)}/removal-plan`);
  if (plan.deletes.length > 0) {
    ctx.note(
      `Rule ${name} prunes: removing it deletes the copies it placed that nothing else wants:\n` +
        renderRulePlan({ copies: [], deletes: plan.deletes }),
    );
    const asked = `Remove rule ${name} and delete ${plan.deletes.length} cop${plan.deletes.length === 1 ? 'y' : 'ies'}?`;
    if (!options.yes) {
      if (!process.stdin.isTTY)
        throw new CliError(
          `removing rule ${name} deletes the copies listed above: run again with --yes to remove it`,
        );
      if (!(await confirm(asked))) throw new CliError(`kept rule ${name}`);
    }
  }
  await client.request('DELETE', rulePath(name), {
    query: plan.deletes.length > 0 ? { confirm: true } : {},
  });
  ctx.result({ removed: name, plan }, () =>
    plan.deletes.length > 0
      ? `Removed rule ${name}.`
      : `Removed rule ${name}; it deleted nothing: the copies it placed stay.`,
  );
}
