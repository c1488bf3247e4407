import type { Command } from 'commander';
import { imageListCommand } from './image/list';
import { imageShowCommand } from './image/show';
import { imageUploadCommand } from './image/upload';

export function imageCommands(program: Command): void {
  const image = program.command('image').description('List, show and upload images.');
  imageListCommand(image);
  imageShowCommand(image);
  imageUploadCommand(image);
}
