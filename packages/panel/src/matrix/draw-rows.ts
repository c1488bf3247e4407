/**
 * Draws the rows in view with a D3 data join keyed by image and site, so an event that changes a
 * cell updates that element in place: rows scrolled in enter, rows scrolled out exit, the rest update.
 * Rows are placed absolutely by index, so only the rows in view exist however long the list.
 */
import { select } from 'd3';
import type { MatrixCell, MatrixColumn, MatrixRow } from '../api-types';
import { cellDetail, effectiveWanted, progressOf, stateLooks } from './cell-display';

export const rowHeight = 44;

/** A row in view: its index in the filtered list, and its data once its page is loaded. */
export interface RowSlot {
  index: number;
  row: MatrixRow | undefined;
}

export interface DrawState {
  columns: MatrixColumn[];
  /** Unapplied clicks: the wanted state each changed cell ("image site") will get. */
  pending: Map<string, boolean>;
  /** The cell that takes Tab focus (roving tabindex). */
  focus: { row: number; col: number };
  /** Bumped when columns, pending or focus change: every row in view is drawn again. */
  version: number;
}

/**
 * What each row element was last drawn from. Rows are replaced, never changed, when their data
 * changes, so a row whose data and draw state are the same needs no work: scrolling touches only
 * the rows that enter.
 */
const drawnFrom = new WeakMap<Element, { row: MatrixRow | undefined; version: number }>();

export const cellKey = (imageId: string, siteId: string) => `${imageId} ${siteId}`;

interface CellDatum {
  row: RowSlot;
  col: number;
  cell: MatrixCell;
  column: MatrixColumn;
}

export function drawRows(body: HTMLElement, slots: RowSlot[], state: DrawState): void {
  const rows = select(body)
    .selectAll<HTMLDivElement, RowSlot>('div.row')
    .data(slots, (slot) => slot.row?.id ?? `loading ${slot.index}`)
    .join(
      (enter) => {
        const row = enter.append<HTMLDivElement>('div').attr('class', 'row').attr('role', 'row');
        row.append('div').attr('class', 'name').attr('role', 'rowheader');
        return row;
      },
      (update) => update,
      (exit) => exit.remove(),
    )
    .attr('aria-rowindex', (slot) => slot.index + 2)
    .style('transform', (slot) => `translateY(${slot.index * rowHeight}px)`);

  const stale = rows.filter(function (slot) {
    const drawn = drawnFrom.get(this);
    return !drawn || drawn.row !== slot.row || drawn.version !== state.version;
  });
  stale.each(function (slot) {
    drawnFrom.set(this, { row: slot.row, version: state.version });
  });

  stale
    .select<HTMLDivElement>('.name')
    .text((slot) => slot.row?.name ?? 'loading…')
    .attr('title', (slot) => slot.row?.name ?? null);

  stale.each(function (slot) {
    const cells: CellDatum[] = slot.row
      ? slot.row.cells.map((cell, col) => ({ row: slot, col, cell, column: state.columns[col]! }))
      : [];
    drawCells(this, cells, state);
  });
}

function drawCells(row: HTMLDivElement, cells: CellDatum[], state: DrawState): void {
  const joined = select(row)
    .selectAll<HTMLDivElement, CellDatum>('div.cell')
    .data(cells, (d) => d.cell.siteId)
    .join(
      (enter) => {
        const cell = enter
          .append<HTMLDivElement>('div')
          .attr('class', 'cell')
          .attr('role', 'gridcell');
        cell.append('span').attr('class', 'wanted').attr('aria-hidden', 'true');
        cell.append('span').attr('class', 'icon').attr('aria-hidden', 'true');
        cell.append('span').attr('class', 'label');
        cell.append('div').attr('class', 'bar').append('div').attr('class', 'fill');
        return cell;
      },
      (update) => update,
      (exit) => exit.remove(),
    );

  const wantedOf = (d: CellDatum) =>
    state.pending.get(cellKey(d.row.row!.id, d.cell.siteId)) ?? effectiveWanted(d.cell);
  joined
    .attr('data-state', (d) => d.cell.state)
    .attr('data-row', (d) => d.row.index)
    .attr('data-col', (d) => d.col)
    .attr('aria-colindex', (d) => d.col + 2)
    .attr('aria-selected', (d) => String(wantedOf(d)))
    .attr('tabindex', (d) =>
      d.row.index === state.focus.row && d.col === state.focus.col ? 0 : -1,
    )
    .attr(
      'title',
      (d) => `${d.column.name}: ${stateLooks[d.cell.state].label} — ${cellDetail(d.cell)}`,
    )
    .classed('wanted', (d) => wantedOf(d))
    .classed('changed', (d) => state.pending.has(cellKey(d.row.row!.id, d.cell.siteId)));
  joined.select('.wanted').text((d) => (wantedOf(d) ? '✓' : ''));
  joined.select('.icon').text((d) => stateLooks[d.cell.state].icon);
  joined.select('.label').text((d) => {
    const progress = progressOf(d.cell);
    return progress === null
      ? stateLooks[d.cell.state].label
      : `${stateLooks.transferring.label} ${Math.floor(progress * 100)}%`;
  });
  // CSS transitions (cell-styles.ts) animate what changed: D3 transitions would start on every
  // cell at every scroll frame.
  joined.select('.fill').style('width', (d) => `${(progressOf(d.cell) ?? 0) * 100}%`);
}
