import type { Command } from 'commander';
import { action, examples } from '../../command-kit';
import type { Context } from '../../context';
import { waitHelp } from './applying';
import { fromFile, type ApplyOptions } from './from-file';

/** glint apply: a placements file made the desired state. */
export function applyCommand(program: Command): void {
  examples(
    program
      .command('apply')
      .summary('Make a placements file the desired state')
      .description(
        'Make a placements file the desired state: creates or replaces the standing rules of its rules: ' +
          'section (rules it leaves out stay), creates or changes the release families of its families: ' +
          'section (families it leaves out stay), records its placements and queues the copies and deletes they ' +
          'need; the rules’ copies are queued by Glint as it reconciles. ' +
          'Exits 1 if anything was refused, or with --wait if a placement’s job fails.',
      )
      .requiredOption('-f, --file <file>', 'the placements file (YAML)')
      .option('--force', 'delete even the last copy of an image anywhere')
      .option('--wait', waitHelp)
      .action(action((ctx: Context, options: ApplyOptions) => fromFile(ctx, options, true))),
    ['glint apply -f placements.yaml', 'glint apply -f placements.yaml --wait'],
  );
}
