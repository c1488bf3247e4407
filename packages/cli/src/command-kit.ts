import type { Command } from 'commander';
import { createContext, type Context } from './context';

/**
 * A commander action with the command's context first: `(ctx, ...arguments, options)`. Whether to
 * print JSON comes from the program-wide --json, given before or after the subcommand.
 */
export function action<Args extends unknown[]>(
  run: (ctx: Context, ...args: Args) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = createContext(Boolean(command.optsWithGlobals().json));
    await run(ctx, ...(args.slice(0, -1) as Args));
  };
}

/** `Examples:` after a command's help. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

/** For repeatable options: `--to a --to b` and `--to a,b` both give [a, b]. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}
