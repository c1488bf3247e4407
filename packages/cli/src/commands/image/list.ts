import type { Command } from 'commander';
import { formatBytes } from '@glint/core/client';
import { action, examples } from '../../command-kit';
import type { Context } from '../../context';
import { findSite, listImages, listSites } from '../../resolve';
import { renderTable } from '../../table';
import { summary, wantedText } from './summary';

/** glint image list: the images and where they are, or those on one site. */
export function imageListCommand(image: Command): void {
  examples(
    image
      .command('list')
      .alias('ls')
      .summary('Your images and where they are')
      .description(
        'Your images (one per name and content), with the sites that hold them. With --site, the images on that site and their state there.',
      )
      .option('--site <site>', 'only the images on this site (name or id)')
      .option('--name <text>', 'only images whose name contains this')
      .action(
        action(async (ctx: Context, options: { site?: string; name?: string }) => {
          const client = await ctx.client();
          const { columns, rows } = await listImages(
            client,
            options.name ? { name: options.name } : {},
          );
          if (options.site) {
            const site = findSite(await listSites(client), options.site);
            const at = columns.findIndex((c) => c.id === site.id);
            const held = rows
              .map((row) => ({ row, cell: row.cells[at]! }))
              .filter(({ cell }) => cell && cell.state !== 'missing');
            ctx.result(
              held.map(({ row, cell }) => ({ ...summary(row, columns), site: site.id, cell })),
              () =>
                renderTable(
                  ['NAME', 'SIZE', 'STATE', 'WANTED', 'CLOUD IMAGE', 'ID'],
                  held.map(({ row, cell }) => [
                    row.name,
                    formatBytes(row.size, 'terminal'),
                    cell.state,
                    wantedText(cell.wanted),
                    cell.cloudImageId,
                    row.id,
                  ]),
                ),
            );
            return;
          }
          ctx.result(
            rows.map((row) => summary(row, columns)),
            () =>
              rows.length === 0
                ? 'No images yet: upload one with glint image upload, or refresh your sites.'
                : renderTable(
                    ['NAME', 'SIZE', 'FORMAT', 'ON', 'ID'],
                    rows.map((row) => [
                      row.name + (row.conflict ? ' (!)' : ''),
                      formatBytes(row.size, 'terminal'),
                      row.diskFormat,
                      summary(row, columns).on.join(', '),
                      row.id,
                    ]),
                  ) +
                  (rows.some((r) => r.conflict)
                    ? '\n(!) other content has the same name: refer to it by id'
                    : ''),
          );
        }),
      ),
    ['glint image list', 'glint image list --site east', 'glint image list --name cirros --json'],
  );
}
