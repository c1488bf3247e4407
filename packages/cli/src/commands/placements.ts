import type { Command } from 'commander';
import { applyCommand } from './placement/apply';
import { placeCommand } from './placement/place';
import { planCommand } from './placement/plan';
import { unplaceCommand } from './placement/unplace';

export function placementCommands(program: Command): void {
  placeCommand(program);
  unplaceCommand(program);
  planCommand(program);
  applyCommand(program);
}
