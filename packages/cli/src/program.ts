import { Command, CommanderError } from 'commander';
import { describeApiError } from './api-client';
import { imageCommands } from './commands/images';
import { jobCommands } from './commands/jobs';
import { placementCommands } from './commands/placements';
import { projectCommands } from './commands/projects';
import { releaseCommands } from './commands/releases';
import { ruleCommands } from './commands/rules';
import { sessionCommands } from './commands/session';
import { siteCommands } from './commands/sites';
import { ApiError } from '@glint/core/client';
import { CliError } from './errors';

export interface Output {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

const processOutput: Output = {
  writeOut: (text) => process.stdout.write(text),
  writeErr: (text) => process.stderr.write(text),
};

export function createProgram(output: Output = processOutput): Command {
  const program = new Command('glint')
    .description(
      'Keep VM images where they must be across OpenStack clouds and Amazon EC2: the client of the Glint API.',
    )
    .version(require('../package.json').version as string)
    .option('--json', 'print the result as JSON on stdout (and nothing else there)')
    // Usage errors throw instead of exiting, so run() sets exit code 2 for them all.
    .exitOverride()
    .configureOutput(output)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Start with glint login (it reads your openrc's OS_* variables), then add sites and place images.
Sites and images are named by name or id everywhere. Exit codes: 0 ok, 1 failure, 2 usage error.

Examples:
  source demo-openrc.sh && glint login --api https://glint.example.org
  glint site add east --openrc east-openrc.sh
  glint image upload cirros-0.6.2.qcow2 --to east
  glint place cirros-0.6.2 --on west --wait
  glint plan -f placements.yaml && glint apply -f placements.yaml --wait
  glint jobs --watch`,
    );
  sessionCommands(program);
  projectCommands(program);
  siteCommands(program);
  imageCommands(program);
  placementCommands(program);
  ruleCommands(program);
  jobCommands(program);
  releaseCommands(program);
  return program;
}

/** Runs the CLI on `argv` (without node and the script); returns the exit code. */
export async function run(argv: string[], output: Output = processOutput): Promise<number> {
  try {
    await createProgram(output).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    // Help and --version end with exit code 0; every other commander error is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ApiError) {
      output.writeErr(`glint: ${describeApiError(error)}\n`);
      return 1;
    }
    if (error instanceof CliError) {
      output.writeErr(`glint: ${error.message}\n`);
      return error.exitCode;
    }
    output.writeErr(`glint: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
