import type { Command } from 'commander';
import { action, examples } from '../../command-kit';
import type { Context } from '../../context';
import { findSite, listSites } from '../../resolve';

/** glint site refresh: inventories queued now. */
export function siteRefreshCommand(site: Command): void {
  examples(
    site
      .command('refresh')
      .summary('Inventory sites again now')
      .description(
        'List the images of sites again now (an inventory job each), instead of waiting for the schedule.',
      )
      .argument('[site...]', 'names or ids; all your sites when none is given')
      .action(
        action(async (ctx: Context, refs: string[]) => {
          const client = await ctx.client();
          let queued: { siteId: string; jobId: string }[];
          if (refs.length === 0) {
            queued = (await client.request<{ queued: typeof queued }>('POST', '/sites/refresh'))
              .queued;
          } else {
            const sites = await listSites(client);
            queued = [];
            for (const s of refs.map((ref) => findSite(sites, ref))) {
              queued.push(
                await client.request<{ siteId: string; jobId: string }>(
                  'POST',
                  `/sites/${s.id}/refresh`,
                ),
              );
            }
          }
          ctx.result(
            { queued },
            () => `Queued ${queued.length} inventor${queued.length === 1 ? 'y' : 'ies'}.`,
          );
        }),
      ),
    ['glint site refresh', 'glint site refresh east west'],
  );
}
