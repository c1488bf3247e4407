import type { Command } from 'commander';
import { action, collect, examples } from '../../command-kit';
import type { Context } from '../../context';
import { change, waitHelp } from './applying';

/** glint place: an image wanted on sites, or given back to the rules. */
export function placeCommand(program: Command): void {
  examples(
    program
      .command('place')
      .summary('Want an image on sites: copies it there from a site that has it')
      .description(
        'Want an image on sites: copies it there from a site that has it. A hand decision like this ' +
          'overrides the standing rules for those cells; --by-rules clears it instead, giving the cells ' +
          'back to the rules: a rule that implies the cell copies the image back, and with no rule the ' +
          'cell is merely no longer decided (a copy there stays).',
      )
      .argument('<image>', 'name or id')
      .requiredOption('--on <site>', 'a site (repeatable, or comma-separated)', collect)
      .option('--by-rules', 'give the cells back to the standing rules: clear the hand decision')
      .option('--wait', waitHelp)
      .action(
        action(
          async (
            ctx: Context,
            image: string,
            options: { on: string[]; byRules?: boolean; wait?: boolean },
          ) => change(ctx, image, options.on, options.byRules ? null : true, options),
        ),
      ),
    [
      'glint place cirros-0.6.2 --on east --on west',
      'glint place cirros-0.6.2 --on east,west --wait',
      'glint place cirros-0.6.2 --on east --by-rules',
    ],
  );
}
