import type { Command } from 'commander';
import { formatBytes } from '@glint/core/client';
import { action, examples } from '../../command-kit';
import type { Context } from '../../context';
import { resolveImage } from '../../resolve';
import { renderFields, renderTable } from '../../table';
import { wantedText } from './summary';

/** glint image show: one image, and its state on each site. */
export function imageShowCommand(image: Command): void {
  examples(
    image
      .command('show')
      .description('One image: its content, and its state on each of your sites.')
      .argument('<image>', 'name or id')
      .action(
        action(async (ctx: Context, ref: string) => {
          const { row, columns } = await resolveImage(await ctx.client(), ref);
          const cells = row.cells.map((cell, i) => ({ site: columns[i]!, ...cell }));
          ctx.result({ ...row, cells }, () =>
            [
              renderFields([
                ['name', row.name],
                ['id', row.id],
                [
                  'size',
                  row.size === null
                    ? null
                    : `${formatBytes(row.size, 'terminal')} (${row.size} bytes)`,
                ],
                ['format', [row.diskFormat, row.containerFormat].filter(Boolean).join(' / ')],
                ['hash', row.hash ? `${row.hash.algo}:${row.hash.value}` : null],
                ['visibility', row.visibilities.join(', ')],
              ]),
              '',
              renderTable(
                ['SITE', 'STATE', 'WANTED', 'CLOUD IMAGE', 'DETAIL'],
                cells.map((c) => [
                  c.site.name,
                  c.state,
                  wantedText(c.wanted),
                  c.cloudImageId,
                  c.message ??
                    (c.state === 'transferring'
                      ? `${formatBytes(c.bytes, 'terminal')} of ${formatBytes(c.bytesTotal, 'terminal')}`
                      : null),
                ]),
              ),
            ].join('\n'),
          );
        }),
      ),
    ['glint image show cirros-0.6.2', 'glint image show 0b9c…-id --json'],
  );
}
