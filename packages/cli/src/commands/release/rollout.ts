import type { Command } from 'commander';
import type { FamilyDetails, ReleasePlan } from '@glint/api/replies';
import { action } from '../../command-kit';
import type { Context } from '../../context';
import { renderReleasePlan } from '../../release-plan-view';
import { familyText } from './family-text';

/**
 * A change of a family's rollout: POSTs `path` and shows the family as it then is (`shown`, by
 * default the whole family); with --dry-run, POSTs the same body to its plan and shows what it
 * would change on which site.
 */
const change =
  (
    path: string,
    body: (options: Record<string, string>) => object = () => ({}),
    shown: (details: FamilyDetails, family: string) => string = familyText,
  ) =>
  async (ctx: Context, family: string, ...rest: unknown[]) => {
    const options = rest.find((r) => typeof r === 'object') as Record<string, string | boolean>;
    const version = rest.find((r) => typeof r === 'string') as string | undefined;
    const client = await ctx.client();
    const url = `/releases/${encodeURIComponent(family)}/${path}`;
    const json = { ...body(options as Record<string, string>), ...(version && { version }) };
    if (options.dryRun) {
      const plan = await client.request<ReleasePlan>('POST', `${url}/plan`, { json });
      return ctx.result(plan, () => renderReleasePlan(plan));
    }
    const details = await client.request<FamilyDetails>('POST', url, { json });
    ctx.result(details, () => shown(details, family));
  };

const dryRun = 'show what it would change on which site, and change nothing';

/** After `glint release next`: the wave the latest version is at now. */
const waveText = (details: FamilyDetails, family: string) => {
  const latest = details.versions[0];
  return latest
    ? `${family} ${latest.version}: wave ${latest.wave + 1} of ${details.waves.length}`
    : `${family} has no version rolling out`;
};

/** glint release promote, rollback, halt, resume and next: moving a rollout. */
export function releaseRolloutCommands(release: Command): void {
  release
    .command('promote')
    .description('Point a channel (the one the stable name follows, by default) at a version.')
    .argument('<family>')
    .argument('<version>')
    .option('--channel <channel>', 'the channel to move')
    .option('--dry-run', dryRun)
    .action(action(change('promote', (o) => (o.channel ? { channel: o.channel } : {}))));

  release
    .command('rollback')
    .description(
      'Point the channel back at its previous version: names swap back, no byte is copied.',
    )
    .argument('<family>')
    .option('--channel <channel>', 'the channel to move back')
    .option('--dry-run', dryRun)
    .action(action(change('rollback', (o) => (o.channel ? { channel: o.channel } : {}))));

  release
    .command('halt')
    .description('Stop the rollout where it is.')
    .argument('<family>')
    .option('--reason <text>', 'why, for the others')
    .option('--dry-run', dryRun)
    .action(action(change('halt', (o) => (o.reason ? { reason: o.reason } : {}))));

  release
    .command('resume')
    .description('Resume a halted rollout; failed copies are tried again.')
    .argument('<family>')
    .option('--dry-run', dryRun)
    .action(action(change('resume')));

  release
    .command('next')
    .description('Start the next wave of a family whose waves wait for a person.')
    .argument('<family>')
    .option('--dry-run', dryRun)
    .action(action(change('waves/next', undefined, waveText)));
}
