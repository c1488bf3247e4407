import type { Command } from 'commander';
import { labelsText } from '@glint/core/client';
import { action, examples } from '../../command-kit';
import type { Context } from '../../context';
import { listSites } from '../../resolve';
import { renderTable } from '../../table';

/** glint site list. */
export function siteListCommand(site: Command): void {
  examples(
    site
      .command('list')
      .alias('ls')
      .description('Your sites.')
      .action(
        action(async (ctx: Context) => {
          const sites = await listSites(await ctx.client());
          ctx.result(sites, () =>
            sites.length === 0
              ? 'No sites yet: add one with glint site add.'
              : renderTable(
                  ['NAME', 'TYPE', 'REGION', 'USER', 'LABELS', 'INVENTORIED', 'ID'],
                  sites.map((s) => [
                    s.name,
                    s.type,
                    s.config.region,
                    s.credential?.username ?? s.credential?.accessKeyId,
                    labelsText(s.labels),
                    s.inventoriedAt,
                    s.id,
                  ]),
                ),
          );
        }),
      ),
    ['glint site list', 'glint site list --json'],
  );
}
