import type { Command } from 'commander';
import type { ReleaseFamilies } from '@glint/api/replies';
import { action } from '../../command-kit';
import type { Context } from '../../context';
import { renderTable } from '../../table';

/** glint release list. */
export function releaseListCommand(release: Command): void {
  release
    .command('list')
    .alias('ls')
    .description('Your release families.')
    .action(
      action(async (ctx: Context) => {
        const { families } = await (
          await ctx.client()
        ).request<ReleaseFamilies>('GET', '/releases');
        ctx.result(families, () =>
          renderTable(
            ['FAMILY', 'STABLE NAME', 'FOLLOWS', 'KEEP'],
            families.map((f) => [
              f.name,
              f.stableName,
              f.follows,
              f.keepMode === 'last' ? `last ${f.keepLast}` : f.keepMode,
            ]),
          ),
        );
      }),
    );
}
