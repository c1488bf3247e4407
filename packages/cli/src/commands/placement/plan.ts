import type { Command } from 'commander';
import { action, examples } from '../../command-kit';
import type { Context } from '../../context';
import { fromFile, type ApplyOptions } from './from-file';

/** glint plan: what a placements file would change. */
export function planCommand(program: Command): void {
  examples(
    program
      .command('plan')
      .summary('Show what a placements file would change')
      .description(
        'Show what a placements file would change: copies (+), deletes (-) and refusals (!), and what each ' +
          'standing rule of its rules: section would imply now, and which release families of its ' +
          'families: section it would create or change. Changes nothing. ' +
          'The file format is in examples/placements.yaml.',
      )
      .requiredOption('-f, --file <file>', 'the placements file (YAML)')
      .option('--force', 'plan deletes of last copies too')
      .action(action((ctx: Context, options: ApplyOptions) => fromFile(ctx, options, false))),
    ['glint plan -f placements.yaml', 'glint plan -f placements.yaml --json'],
  );
}
