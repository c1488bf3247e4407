import type { Command } from 'commander';
import { action, examples } from '../../command-kit';
import type { Context } from '../../context';
import { CliError } from '../../errors';
import { findAccount, listAccounts } from '../../ec2-account';
import { findSite, listSites } from '../../resolve';
import { isSite } from './refs';

/** glint site rm: sites, EC2 accounts, or one region of an account. */
export function siteRemoveCommand(site: Command): void {
  examples(
    site
      .command('rm')
      .alias('remove')
      .summary('Remove sites')
      .description(
        'Remove sites with their credentials and desired state (the images on them stay; job history stays). ' +
          'An EC2 account’s name removes the account with all its regions’ sites; one region’s site ' +
          '(<account>/<region>) disables that region.',
      )
      .argument('<site...>', 'names or ids of sites or EC2 accounts')
      .action(action(removeSites)),
    [
      'glint site rm east',
      'glint site rm east west',
      'glint site rm aws',
      'glint site rm aws/eu-west-1',
    ],
  );
}

async function removeSites(ctx: Context, refs: string[]): Promise<void> {
  const client = await ctx.client();
  const [sites, accounts] = await Promise.all([listSites(client), listAccounts(client)]);
  const removed: { id: string; name: string }[] = [];
  const said: string[] = [];
  for (const ref of refs) {
    const account = isSite(sites, ref) ? undefined : findAccount(accounts, ref);
    if (account) {
      await client.request('DELETE', `/accounts/${account.id}`);
      removed.push(...account.regions.map((r) => ({ id: r.siteId, name: r.name })));
      said.push(
        `Removed EC2 account ${account.name} with its sites ${account.regions.map((r) => r.name).join(', ')}.`,
      );
      continue;
    }
    const site = findSite(sites, ref);
    const owner = site.account && accounts.find((a) => a.id === site.account!.id);
    if (owner) {
      const regions = owner.regions.filter((r) => r.siteId !== site.id);
      if (regions.length === 0)
        throw new CliError(
          `${site.name} is the last region of the EC2 account ${owner.name}: remove the account with glint site rm ${owner.name}`,
        );
      await client.request('PATCH', `/accounts/${owner.id}`, {
        json: { regions: regions.map((r) => r.region) },
      });
      owner.regions = regions;
      said.push(
        `Disabled region ${site.config.region} of EC2 account ${owner.name} (site ${site.name} removed).`,
      );
    } else {
      await client.request('DELETE', `/sites/${site.id}`);
      said.push(`Removed site ${site.name}.`);
    }
    removed.push({ id: site.id, name: site.name });
  }
  ctx.result({ removed }, () => said.join('\n'));
}
