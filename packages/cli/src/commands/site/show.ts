import type { Command } from 'commander';
import type { ApiClient } from '../../api-client';
import type { Account, AccountDetail, SiteHealth } from '@glint/api/replies';
import { labelsText } from '@glint/core/client';
import { action, examples } from '../../command-kit';
import type { Context } from '../../context';
import { findAccount, listAccounts, regionsOf } from '../../ec2-account';
import { findSite, listSites } from '../../resolve';
import { renderFields } from '../../table';
import { isSite } from './refs';

/** glint site show: a site with a live check, or an EC2 account with its regions. */
export function siteShowCommand(site: Command): void {
  examples(
    site
      .command('show')
      .description(
        "One site's settings, and a live check of its credential; or an EC2 account's, with every region AWS lists for it.",
      )
      .argument('<site>', 'name or id of a site or an EC2 account')
      .option('--no-check', 'skip the live check')
      .action(
        action(async (ctx: Context, ref: string, options: { check: boolean }) => {
          const client = await ctx.client();
          const sites = await listSites(client);
          const account = isSite(sites, ref)
            ? undefined
            : findAccount(await listAccounts(client), ref);
          if (account) return showAccount(ctx, client, account);
          const found = findSite(sites, ref);
          const health = options.check
            ? await client.get<SiteHealth>(`/sites/${found.id}/health`)
            : undefined;
          ctx.result({ ...found, ...(health ? { health } : {}) }, () =>
            renderFields([
              ['name', found.name],
              ['id', found.id],
              ['type', found.type],
              ...Object.entries(found.config).map(([key, value]): [string, string] => [
                key,
                typeof value === 'string' ? value : JSON.stringify(value),
              ]),
              [
                'credential',
                found.credential
                  ? `${found.credential.kind} ${found.credential.username ?? found.credential.accessKeyId ?? ''}`.trim()
                  : null,
              ],
              ['account', found.account?.name],
              ['labels', labelsText(found.labels)],
              ['self-heal', found.selfHeal],
              ['inventoried', found.inventoriedAt],
              ['added', found.createdAt],
              ...(health
                ? [
                    [
                      'check',
                      `${health.ok ? 'ok' : 'FAILED'} in ${health.latencyMs} ms: ${health.detail}`,
                    ] as [string, string],
                  ]
                : []),
            ]),
          );
        }),
      ),
    ['glint site show east', 'glint site show east --no-check --json', 'glint site show aws'],
  );
}

async function showAccount(ctx: Context, client: ApiClient, account: Account): Promise<void> {
  const detail = await client.get<AccountDetail>(`/accounts/${account.id}`);
  const regions = (wanted: (r: AccountDetail['availableRegions'][number]) => boolean) =>
    detail.availableRegions
      .filter(wanted)
      .map((r) => r.region)
      .join(', ');
  ctx.result(detail, () =>
    renderFields([
      ['name', detail.name],
      ['id', detail.id],
      ['type', 'ec2 account'],
      ['sites', detail.regions.map((r) => r.name).join(', ')],
      ['enabled', regionsOf(detail)],
      ['may enable', regions((r) => r.usable && !r.enabled)],
      ['not opted in', regions((r) => !r.usable)],
      ...Object.entries(detail.settings).map(([key, value]): [string, string] => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
      ['added', detail.createdAt],
    ]),
  );
}

/** Sites, EC2 accounts (with their regions' sites), or single EC2 regions, by name or id. */
