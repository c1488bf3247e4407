import type { Command } from 'commander';
import type { Site } from '@glint/api/replies';
import { labelsText } from '@glint/core/client';
import { action, examples } from '../../command-kit';
import type { Context } from '../../context';
import { changedLabels, parseLabelArgs } from '../../labels';
import { findSite, listSites } from '../../resolve';
import { renderTable } from '../../table';

/** glint site label: a site's labels set, removed or listed. */
export function siteLabelCommand(site: Command): void {
  examples(
    site
      .command('label')
      .summary('Set or remove labels of a site')
      .description(
        'Set labels of a site (key=value) or remove them (key-); standing rules choose sites by ' +
          'their labels. Keys are lower-case letters, digits, ".", "_" and "-" (at most 63, optionally ' +
          'behind "prefix/"), values at most 63 letters, digits, ".", "_" and "-". Without changes, or ' +
          'with --list, prints the labels. Changing labels needs the admin role.',
      )
      .argument('<site>', 'name or id')
      .argument('[labels...]', 'key=value to set, key- to remove')
      .option('--list', 'print the labels (after any changes)')
      .action(action(labelSite)),
    [
      'glint site label east tier=prod experiment=atlas',
      'glint site label east experiment-',
      'glint site label east --list',
    ],
  );
}

async function labelSite(
  ctx: Context,
  ref: string,
  args: string[],
  options: { list?: boolean },
): Promise<void> {
  const changes = parseLabelArgs(args);
  const client = await ctx.client();
  let found = findSite(await listSites(client), ref);
  const changing = args.length > 0;
  if (changing)
    found = await client.request<Site>('PATCH', `/sites/${found.id}`, {
      json: { labels: changedLabels(found.labels, changes) },
    });
  const { labels } = found;
  ctx.result({ site: found.name, labels }, () =>
    Object.keys(labels).length === 0
      ? `${found.name} has no labels${changing ? ' now' : ''}.`
      : changing && !options.list
        ? `Labels of ${found.name}: ${labelsText(labels)}.`
        : renderTable(
            ['KEY', 'VALUE'],
            Object.keys(labels)
              .sort()
              .map((key) => [key, labels[key]]),
          ),
  );
}
