import { html, type TemplateResult } from 'lit';
import type { MatrixColumn } from '@glint/api/replies';
import { columnWidth, headRow, leadWidth, nameCol, sizeCol } from '../draw-rows';
import type { ColumnGroup, RowQuery, SortKey } from '../matrix-data';

/** How the rows are sorted by `key`, as `aria-sort` says it. */
function sortState(sort: RowQuery['sort'], key: SortKey) {
  if (sort.key !== key) return 'none';
  return sort.descending ? 'descending' : 'ascending';
}

/**
 * The header row: sorting by name and size, and a button per site for its whole column. Its
 * buttons take part in the grid's roving tabindex: only the focused one is in the tab order.
 */
export function matrixHead(
  columns: MatrixColumn[],
  focus: { row: number; col: number },
  sort: RowQuery['sort'],
  width: number,
  /** The label key grouping the columns, which each header then names: '' for none. */
  groupBy: string,
): TemplateResult {
  const tabindex = (col: number) => (focus.row === headRow && focus.col === col ? 0 : -1);
  const sortHeader = (key: SortKey, col: number, label: string) =>
    html`<div class=${key} role="columnheader" aria-sort=${sortState(sort, key)}>
      <button
        type="button"
        class="sort-${key}"
        data-row=${headRow}
        data-col=${col}
        tabindex=${tabindex(col)}
        aria-label="${label}: sort by ${key}"
      >
        ${label}
      </button>
    </div>`;
  return html`<div class="head" role="row" aria-rowindex="1" style="width: ${width}px">
    <div class="lead">
      ${sortHeader('name', nameCol, 'Image')} ${sortHeader('size', sizeCol, 'Size')}
    </div>
    ${columns.map(
      (column, col) =>
        html`<div class="column" role="columnheader" aria-colindex=${col + 3}>
          <button
            type="button"
            class="toggle-column"
            data-row=${headRow}
            data-col=${col}
            tabindex=${tabindex(col)}
            title="${column.name}: select or clear for every image the filter shows, but release versions: their release places them"
          >
            <span>${column.name}</span><small>${column.region ?? column.type}</small>${
              groupBy
                ? html`<span class="visually-hidden"
                    >, ${groupBy}=${column.labels[groupBy] ?? 'none'}</span
                  >`
                : ''
            }
          </button>
        </div>`,
    )}
  </div>`;
}

/** The height of the band of column groups, in pixels. */
export const groupBandHeight = 24;

/**
 * Above the header row, the groups of columns sharing a value of `key`, each as wide as its
 * columns. Only for the eye: each column header names its group to screen readers.
 */
export function groupBand(key: string, groups: ColumnGroup[], width: number): TemplateResult {
  return html`<div class="groups" aria-hidden="true" style="width: ${width}px">
    <div class="lead group-key">by ${key}</div>
    ${groups.map(
      (group) =>
        html`<div
          class="group ${group.value === null ? 'unlabelled' : ''}"
          style="left: ${leadWidth + group.first * columnWidth}px; width: ${group.count * columnWidth}px"
        >
          ${group.value === null ? `no ${key}` : `${key}=${group.value}`}
        </div>`,
    )}
  </div>`;
}
