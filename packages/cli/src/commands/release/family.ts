/** `glint release family create|set|delete`: the admin's part. */
import type { Command } from 'commander';
import type { ReleaseFamilies } from '@glint/api/replies';
import { action, collect, examples } from '../../command-kit';
import type { Context } from '../../context';
import { UsageError } from '../../errors';
import { renderFields } from '../../table';
import { policyOf, type FamilyOptions } from './family-policy';

type Family = ReleaseFamilies['families'][number];

const familyPath = (family: string) => `/releases/${encodeURIComponent(family)}`;

/** Each --wave is one wave: its `k=v,k=v` stay together (unlike collect's splitting). */
const eachWave = (value: string, previous: string[] = []) => [...previous, value];

const familyFields = (family: Family) =>
  renderFields([
    ['family', family.name],
    ['stable name', family.stableName],
    ['sites', JSON.stringify(family.sites)],
    ['waves', family.waves.map((w) => JSON.stringify(w)).join(' → ') || 'one'],
    ['soak', `${family.soakSeconds} s${family.manualWaves ? ', waves started by hand' : ''}`],
    [
      'prestage',
      family.prestage ? 'every wave’s sites copied at once' : 'each wave copied as it starts',
    ],
    ['keep', family.keepMode === 'last' ? `last ${family.keepLast}` : family.keepMode],
    ['grace', `${family.graceSeconds} s`],
    ['required', family.requiredProperties.join(', ')],
  ]);

/** The policy options create and set share. */
function policyOptions(command: Command): Command {
  return (
    command
      .option('--sites <k=v>', 'target sites: labels every one carries (repeatable)', collect)
      .option('--wave <k=v,…>', 'a wave: labels its sites carry; repeat in order', eachWave)
      .option('--soak <duration>', 'how long a wave runs before the next starts (90s, 10m, 2h)')
      .option('--manual-waves', 'each wave after the first waits for `glint release next`')
      .option('--prestage', 'copy every version to all waves’ sites at once (the default)')
      // After --prestage, so that neither is the default and an unset flag changes nothing.
      .option('--no-prestage', 'copy to a wave’s sites only once the wave starts')
      .option('--follows <channel>', 'the channel the stable name follows (default latest)')
      .option('--keep <n>', 'retention: keep the last N versions')
      .option(
        '--until <date>',
        'retention: keep versions until their provided_until (default DATE)',
      )
      .option('--forever', 'retention: keep every version')
      .option('--grace <duration>', 'how long a retired version stays hidden before deletion')
      .option('--property <key=value>', 'a property every version gets (repeatable)', collect, [])
      .option('--require-property <key>', 'a property each version must carry', collect, [])
  );
}

async function createFamily(ctx: Context, name: string, options: FamilyOptions) {
  if (!options.stableName) throw new UsageError('create needs --stable-name "Name users boot by"');
  if (!options.sites) throw new UsageError('create needs --sites k=v: the sites it rolls out to');
  const client = await ctx.client();
  const family = await client.request<Family>('POST', '/releases', {
    json: { name, ...policyOf(options) },
  });
  ctx.result(family, () => `Created release family ${family.name}\n${familyFields(family)}`);
}

async function setFamily(ctx: Context, name: string, options: FamilyOptions) {
  const changes = policyOf(options);
  if (Object.keys(changes).length === 0)
    throw new UsageError('nothing to change: give at least one option (see --help)');
  const client = await ctx.client();
  const family = await client.request<Family>('PATCH', familyPath(name), { json: changes });
  ctx.result(family, () => `Changed release family ${family.name}\n${familyFields(family)}`);
}

/** `glint release family create|set|delete` under `glint release`. */
export function releaseAdminCommands(release: Command): void {
  const family = release
    .command('family')
    .description('Make, change and forget release families (the project’s admins).');
  examples(
    policyOptions(
      family
        .command('create')
        .description('Make a family: its stable name, target sites, waves, soak and retention.')
        .argument('<name>', 'the family’s key, e.g. ubuntu-24.04')
        .option('--stable-name <name>', 'the name users and schedulers boot by'),
    ).action(action(createFamily)),
    [
      'glint release family create ubuntu-24.04 --stable-name "Ubuntu 24.04" --sites tier=prod \\\n' +
        '    --wave role=canary --soak 10m --keep 3 --require-property image_original_user',
    ],
  );
  policyOptions(
    family
      .command('set')
      .description('Change a family’s policy; what the options leave out stays.')
      .argument('<name>')
      .option('--stable-name <name>', 'the name users and schedulers boot by'),
  )
    // After --manual-waves, so that neither is the default and an unset flag changes nothing.
    .option('--no-manual-waves', 'waves follow each other once soaked')
    .action(action(setFamily));
  family
    .command('delete')
    .alias('rm')
    .description('Forget a family and its versions; the images stay on the sites as they are.')
    .argument('<name>')
    .action(
      action(async (ctx: Context, name: string) => {
        await (await ctx.client()).request('DELETE', familyPath(name));
        ctx.result({ deleted: name }, () => `Deleted release family ${name}`);
      }),
    );
}
