/**
 * Draws the rows in view, and in them only the site columns in view, with a D3 data join keyed by
 * image and site: an event that changes a cell updates its element in place. Rows and cells are
 * placed absolutely by index, so however long the list and however many sites, the DOM holds about
 * one screen of cells.
 *
 * Transitions mark what the data changed, never what scrolling brought into view: rows that a data
 * change brings or takes fade in and out, and a cell whose state changed pops. A scroll draws its
 * entering rows at once and leaves the other rows untouched.
 */
import { select } from 'd3';
// Adds transition() to selections; d3's bundle says it has no side effects, so it must be named.
import 'd3-transition';
import type { MatrixCell, MatrixColumn, MatrixRow } from '@glint/api/replies';
import { formatBytes } from '@glint/core/client';
import {
  cellDetail,
  shownWanted,
  placedMark,
  placedText,
  progressOf,
  stateLooks,
} from './cell-display';
import type { Range } from './virtual-window';
import type { FamilyEntry } from './family-rows';
import { drawFamilyCells, familyLabel, rowLabel } from './draw-family';

export const rowHeight = 44;
export const columnWidth = 132;
export const nameWidth = 200;
export const sizeWidth = 80;
/** The sticky block left of the sites: the image's name and size. */
export const leadWidth = nameWidth + sizeWidth;

/** Grid columns left of the sites, by their `data-col`. */
export const nameCol = -2;
export const sizeCol = -1;
/** The header row's `data-row`. */
export const headRow = -1;

/** A row in view: its index in the filtered list, and its data once its page is loaded. */
export interface RowSlot {
  index: number;
  row: MatrixRow | undefined;
  /** A release family's row, or one of its versions', where the family sorts among the rows. */
  entry?: FamilyEntry | undefined;
}

export interface DrawState {
  columns: MatrixColumn[];
  /** The site columns in view (and a few either side). */
  columnRange: Range;
  /** Unapplied clicks: the wanted state each changed cell ("image site") will get. */
  /** Changes not sent yet, by cell: wanted or not by hand, or null to give it back to the rules. */
  pending: Map<string, boolean | null>;
  /** The columns that start a group of the grouping label (after the first), drawn apart. */
  groupStarts: Set<number>;
  /** The element that takes Tab focus (roving tabindex), by `data-row` and `data-col`. */
  focus: { row: number; col: number };
  /** Bumped when columns, pending or focus change: every row in view is drawn again. */
  version: number;
}

/**
 * What each row element was last drawn from. Rows are replaced, never changed, when their data
 * changes, so a row whose data, draw state and column range are the same needs no work: scrolling
 * down touches only the rows that enter.
 */
interface Drawn {
  row: MatrixRow | undefined;
  entry: FamilyEntry | undefined;
  version: number;
  index: number;
  first: number;
  end: number;
}
const drawnFrom = new WeakMap<Element, Drawn>();

export const cellKey = (imageId: string, siteId: string) => `${imageId} ${siteId}`;

interface CellDatum {
  row: RowSlot;
  col: number;
  cell: MatrixCell;
  column: MatrixColumn;
}

const cellLeft = (col: number) => leadWidth + col * columnWidth + 3;

/** What a hidden copy is, for a cell's title. */
const hiddenMeaning = 'hidden on the site (os_hidden): out of its listings, still bootable by id';

const fadeMs = 200;
const popMs = 350;

/** `animate` is false for a scroll: nothing changed but what is in view. */
export function drawRows(
  body: HTMLElement,
  slots: RowSlot[],
  state: DrawState,
  animate: boolean,
): void {
  const rows = joinRows(body, slots, animate);
  const { first, end } = state.columnRange;
  const stale = rows.filter(function (slot) {
    const drawn = drawnFrom.get(this);
    if (drawn?.index !== slot.index) {
      this.style.transform = `translateY(${slot.index * rowHeight}px)`;
      this.setAttribute('aria-rowindex', String(slot.index + 2));
    }
    // A row that moved carries its old index on its cells and buttons: drawn again. Rows move
    // under a family whose place a release event changed, or whose versions came fewer or more.
    return (
      !drawn ||
      drawn.index !== slot.index ||
      drawn.row !== slot.row ||
      drawn.entry !== slot.entry ||
      drawn.version !== state.version ||
      drawn.first !== first ||
      drawn.end !== end
    );
  });
  stale.each(function (slot) {
    drawnFrom.set(this, {
      row: slot.row,
      entry: slot.entry,
      version: state.version,
      index: slot.index,
      first,
      end,
    });
  });

  const tabindex = (row: number, col: number) =>
    row === state.focus.row && col === state.focus.col ? 0 : -1;
  stale
    .classed('family', (slot) => slot.entry?.kind === 'family')
    .classed('version', (slot) => slot.entry?.kind === 'version');
  stale
    .select<HTMLButtonElement>('.toggle-row')
    .each(function (slot) {
      const label = slot.entry?.kind === 'family' ? familyLabel(slot.entry) : rowLabel(slot.row);
      select(this)
        .text(label.text)
        .attr('title', label.title)
        .attr('aria-label', label.aria)
        .attr('aria-expanded', label.expanded ?? null);
    })
    .attr('data-row', (slot) => slot.index)
    .attr('tabindex', (slot) => tabindex(slot.index, nameCol));
  stale
    .select<HTMLDivElement>('.size')
    .text((slot) => {
      if (slot.entry?.kind === 'family') return `${slot.entry.family.rows} versions`;
      return slot.row?.size == null ? '' : formatBytes(slot.row.size, 'page');
    })
    .attr('data-row', (slot) => slot.index)
    .attr('aria-colindex', 2)
    .attr('tabindex', (slot) => tabindex(slot.index, sizeCol));

  stale.each(function (slot) {
    if (slot.entry?.kind === 'family') {
      drawFamilyCells(this, slot.entry.family, slot.index, state, cellLeft);
      return;
    }
    const cells: CellDatum[] = [];
    if (slot.row)
      for (let col = first; col < end; col++) {
        const cell = slot.row.cells[col];
        if (cell) cells.push({ row: slot, col, cell, column: state.columns[col]! });
      }
    drawCells(this, cells, state);
  });
}

/** The rows' elements, keyed by image: new ones made (fading in), gone ones faded out. */
function joinRows(body: HTMLElement, slots: RowSlot[], animate: boolean) {
  return select(body)
    .selectAll<HTMLDivElement, RowSlot>('div.row')
    .data(slots, (slot) =>
      slot.entry?.kind === 'family'
        ? `family ${slot.entry.family.id}`
        : (slot.row?.id ?? `loading ${slot.index}`),
    )
    .join(
      (enter) => {
        const row = enter.append<HTMLDivElement>('div').attr('class', 'row').attr('role', 'row');
        const lead = row.append<HTMLDivElement>('div').attr('class', 'lead');
        lead
          .append('div')
          .attr('class', 'row-head')
          .attr('role', 'rowheader')
          .append('button')
          .attr('type', 'button')
          .attr('class', 'name toggle-row')
          .attr('data-col', nameCol);
        lead.append('div').attr('class', 'size').attr('role', 'gridcell').attr('data-col', sizeCol);
        if (animate) row.style('opacity', '0').transition().duration(fadeMs).style('opacity', '1');
        return row;
      },
      (update) => update,
      (exit) => {
        // Out of the next joins at once (no longer a .row), gone once faded; inert meanwhile, so
        // neither focus nor a screen reader lands in a row that is leaving.
        if (animate)
          exit
            .classed('row', false)
            .attr('inert', '')
            .transition()
            .duration(fadeMs)
            .style('opacity', '0')
            .remove();
        else exit.remove();
      },
    );
}

function drawCells(row: HTMLDivElement, cells: CellDatum[], state: DrawState): void {
  const joined = select(row)
    .selectAll<HTMLDivElement, CellDatum>('div.cell')
    .data(cells, (d) => d.cell.siteId)
    .join(
      (enter) =>
        enter
          .append<HTMLDivElement>('div')
          .attr('class', 'cell')
          .attr('role', 'gridcell')
          .attr('data-state', (d) => d.cell.state),
      (update) => {
        // A cell whose state changed under it pops, so the eye finds what an event moved.
        update
          .filter(function (d) {
            return this.getAttribute('data-state') !== d.cell.state;
          })
          .style('transform', 'scale(0.8)')
          .transition()
          .duration(popMs)
          .style('transform', 'scale(1)');
        return update;
      },
      (exit) => exit.remove(),
    );

  const wantedOf = (d: CellDatum) =>
    shownWanted(d.cell, state.pending.get(cellKey(d.row.row!.id, d.cell.siteId)));
  joined
    .attr('data-state', (d) => d.cell.state)
    .attr('data-icon', (d) => stateLooks[d.cell.state].icon)
    .attr('data-row', (d) => d.row.index)
    .attr('data-col', (d) => d.col)
    .attr('aria-colindex', (d) => d.col + 3)
    .attr('aria-selected', (d) => String(wantedOf(d)))
    .attr('tabindex', (d) =>
      d.row.index === state.focus.row && d.col === state.focus.col ? 0 : -1,
    )
    .attr('data-placed', (d) => placedMark(d.cell))
    .attr('data-hidden', (d) => (d.cell.hidden ? 'true' : null))
    .attr('title', (d) => {
      const placed = placedText(d.cell);
      const hidden = d.cell.hidden ? ` · ${hiddenMeaning}` : '';
      return `${d.column.name}: ${stateLooks[d.cell.state].label} — ${cellDetail(d.cell)}${placed ? ` · ${placed}` : ''}${hidden}`;
    })
    .classed('wanted', (d) => wantedOf(d))
    .classed('changed', (d) => state.pending.has(cellKey(d.row.row!.id, d.cell.siteId)))
    .classed('group-start', (d) => state.groupStarts.has(d.col))
    .style('left', (d) => `${cellLeft(d.col)}px`)
    .style('--progress', (d) => String(progressOf(d.cell) ?? 0))
    .text((d) => {
      const progress = progressOf(d.cell);
      if (progress !== null)
        return `${stateLooks.transferring.label} ${Math.floor(progress * 100)}%`;
      return `${stateLooks[d.cell.state].label}${d.cell.hidden ? ' · hidden' : ''}`;
    });
}
