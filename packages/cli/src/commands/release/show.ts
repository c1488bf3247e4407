import type { Command } from 'commander';
import type { FamilyDetails } from '@glint/api/replies';
import { action } from '../../command-kit';
import type { Context } from '../../context';
import { familyText } from './family-text';

/** glint release show: one family. */
export function releaseShowCommand(release: Command): void {
  release
    .command('show')
    .description('A family: its channels, waves and each version’s state on each site.')
    .argument('<family>')
    .action(
      action(async (ctx: Context, family: string) => {
        const details = await (
          await ctx.client()
        ).request<FamilyDetails>('GET', `/releases/${encodeURIComponent(family)}`);
        ctx.result(details, () => familyText(details));
      }),
    );
}
