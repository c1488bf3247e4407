import type { Command } from 'commander';
import { siteAddCommand } from './site/add';
import { siteLabelCommand } from './site/label';
import { siteListCommand } from './site/list';
import { siteRefreshCommand } from './site/refresh';
import { siteRemoveCommand } from './site/rm';
import { siteShowCommand } from './site/show';

export function siteCommands(program: Command): void {
  const site = program
    .command('site')
    .description(
      'Add, list, show, remove and refresh your sites (OpenStack clouds, EC2 accounts).',
    );
  siteAddCommand(site);
  siteListCommand(site);
  siteShowCommand(site);
  siteLabelCommand(site);
  siteRemoveCommand(site);
  siteRefreshCommand(site);
}
