import { html, type TemplateResult } from 'lit';
import type { MatrixColumn } from '@glint/api/replies';
import { headRow, nameCol, sizeCol } from '../draw-rows';
import type { RowQuery, SortKey } from '../matrix-data';

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
            title="${column.name}: select or clear for every image the filter shows"
          >
            <span>${column.name}</span><small>${column.region ?? column.type}</small>
          </button>
        </div>`,
    )}
  </div>`;
}
