import type { Command } from 'commander';
import { action, collect, examples } from '../../command-kit';
import type { Context } from '../../context';
import { change, waitHelp } from './applying';

/** glint unplace: an image wanted off sites. */
export function unplaceCommand(program: Command): void {
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
}
