import type { Command } from 'commander';
import { releaseAdminCommands } from './release/family';
import { releaseListCommand } from './release/list';
import { releasePublishCommand } from './release/publish';
import { releaseRolloutCommands } from './release/rollout';
import { releaseShowCommand } from './release/show';

export function releaseCommands(program: Command): void {
  const release = program
    .command('release')
    .description('Release families: versions that take over a stable name site by site, in waves.');
  releasePublishCommand(release);
  releaseListCommand(release);
  releaseShowCommand(release);
  releaseRolloutCommands(release);
  releaseAdminCommands(release);
}
