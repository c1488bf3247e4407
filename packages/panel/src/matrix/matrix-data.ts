/**
 * The part of the matrix the panel holds: the columns, the total, and the rows loaded so far, by
 * their index in the filtered list. Pages are read as the view scrolls to them; events make it read
 * again only the rows (or columns) they name.
 */
import type { ApiClient } from '../api-client';
import type { GlintEvent } from '@glint/core';
import type { Matrix, MatrixCell, MatrixColumn, MatrixRow } from '@glint/api/replies';
import { FamilyRows, type FamilyEntry } from './family-rows';

export const pageSize = 100;
/** The largest page the API gives: what a whole-column selection reads the filter's rows in. */
const bulkPageSize = 500;

export type SortKey = 'name' | 'size' | 'created' | 'copies';
export interface Sort {
  key: SortKey;
  descending: boolean;
}

/** Which rows and columns, in which order: the query of GET /matrix, and the columns' grouping. */
export interface RowQuery {
  name: string;
  visibility: '' | 'public' | 'private' | 'shared' | 'community';
  conflicts: boolean;
  sort: Sort;
  /** Only the sites carrying each of these labels (`key=value`). */
  labels: string[];
  /** A label key whose values group the columns side by side; '' for none. */
  groupBy: string;
}

export const defaultQuery: RowQuery = {
  name: '',
  visibility: '',
  conflicts: false,
  sort: { key: 'name', descending: false },
  labels: [],
  groupBy: '',
};

/** A run of columns sharing a value of the grouping label; null for the sites without it. */
export interface ColumnGroup {
  value: string | null;
  first: number;
  count: number;
}

/**
 * The columns grouped by `key`'s value (A to Z, the sites without it last), the API's order kept
 * inside a group: each column's index in the API's order, in the order to show them.
 */
export function groupedOrder(columns: MatrixColumn[], key: string): number[] {
  const indexes = columns.map((_column, i) => i);
  if (!key) return indexes;
  const valueOf = (i: number) => columns[i]!.labels[key];
  return indexes.sort((a, b) => {
    const [va, vb] = [valueOf(a), valueOf(b)];
    if (va === vb) return a - b;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    return va.localeCompare(vb);
  });
}

/** The runs of columns (in their shown order) with one value of `key`. */
export function columnGroups(columns: MatrixColumn[], key: string): ColumnGroup[] {
  const groups: ColumnGroup[] = [];
  columns.forEach((column, i) => {
    const value = column.labels[key] ?? null;
    const last = groups.at(-1);
    if (last && last.value === value) last.count++;
    else groups.push({ value, first: i, count: 1 });
  });
  return groups;
}

/** The matrix with its columns, and each row's cells and each family's sites alike, in `order`. */
function arranged(matrix: Matrix, order: number[]): Matrix {
  if (order.every((at, i) => at === i)) return matrix;
  return {
    ...matrix,
    columns: order.map((i) => matrix.columns[i]!),
    rows: matrix.rows.map((row) => ({ ...row, cells: order.map((i) => row.cells[i]!) })),
    families: matrix.families.map((family) => ({
      ...family,
      sites: order.map((i) => family.sites[i]!),
    })),
  };
}

export class MatrixData {
  columns: MatrixColumn[] = [];
  total = 0;
  private rows = new Map<number, MatrixRow>();
  private pages = new Map<number, Promise<void>>();
  /** Bumped by every filter change, so a page read for the old filter is dropped. */
  private generation = 0;

  /** The release families among the paged rows, each expanding to its versions' rows. */
  readonly families: FamilyRows;

  constructor(
    private readonly client: ApiClient,
    /** Called whenever rows changed, to draw them again. */
    private readonly changed: () => void,
  ) {
    this.families = new FamilyRows((familyId) => this.familyRows(familyId), changed);
  }

  query: RowQuery = defaultQuery;

  /** How many rows the grid has: the paged rows, and the families' placed among them. */
  get length(): number {
    return this.families.length + this.total;
  }

  /** How many image rows the filters pass: the paged ones and the families' versions. */
  get imageCount(): number {
    return this.total + this.families.versionCount;
  }

  /** The grid's row at `index`: a version's or a paged row; undefined for a family's or unread. */
  row(index: number): MatrixRow | undefined {
    // The header row (-1) is no row of data.
    if (index < 0) return undefined;
    const at = this.families.locate(index);
    if ('paged' in at) return this.rows.get(at.paged);
    return at.entry.kind === 'version' ? at.entry.row : undefined;
  }

  /** The family's or version's entry at `index`, if the row is one. */
  entry(index: number): FamilyEntry | undefined {
    if (index < 0) return undefined;
    const at = this.families.locate(index);
    return 'entry' in at ? at.entry : undefined;
  }

  /** The paged rows that grid rows `first` to `end` show, by their index among the paged rows. */
  pagesIn(first: number, end: number): { first: number; end: number } {
    return {
      first: this.families.pagedBefore(Math.max(0, first)),
      end: this.families.pagedBefore(Math.max(0, end)),
    };
  }

  /** A family's version rows, under the same filters. */
  private async familyRows(familyId: string): Promise<MatrixRow[] | undefined> {
    const generation = this.generation;
    const reply = await this.client.get<Matrix>(
      this.url({ family: familyId, limit: '500' }, false),
    );
    // Read for filters no longer in force: dropped.
    return generation === this.generation ? this.arrange(reply).rows : undefined;
  }

  /** A reply with its columns grouped as the query asks. */
  private arrange(matrix: Matrix): Matrix {
    return arranged(matrix, groupedOrder(matrix.columns, this.query.groupBy));
  }

  /** `grouped`: a family's versions are left out of the rows, for its family row. */
  private url(params: Record<string, string | string[]>, grouped = true): string {
    const { name, visibility, conflicts, sort } = this.query;
    const search = new URLSearchParams();
    if (grouped) search.set('group', 'family');
    if (name) search.set('name', name);
    if (visibility) search.set('visibility', visibility);
    if (conflicts) search.set('conflicts', 'true');
    if (sort.key !== 'name' || sort.descending)
      search.set('sort', `${sort.descending ? '-' : ''}${sort.key}`);
    for (const label of this.query.labels) search.append('label', label);
    for (const [key, value] of Object.entries(params))
      for (const v of [value].flat()) search.append(key, v);
    return `/matrix?${search.toString()}`;
  }

  /** Starts over with other filters or another order. */
  async setQuery(query: RowQuery): Promise<void> {
    this.query = { ...query, name: query.name.trim() };
    this.generation++;
    this.rows.clear();
    this.pages.clear();
    this.families.clear();
    await this.loadPage(0);
  }

  /** Reads the page at `offset` unless it is loaded or on its way. */
  loadPage(offset: number): Promise<void> {
    return this.read(offset, pageSize);
  }

  private read(offset: number, limit: number): Promise<void> {
    let loading = this.pages.get(offset);
    if (!loading) {
      const generation = this.generation;
      loading = this.client
        .get<Matrix>(this.url({ offset: String(offset), limit: String(limit) }))
        .then((reply) => {
          const matrix = this.arrange(reply);
          if (generation !== this.generation) return;
          // The same columns keep their array, so the drawing does not redraw every row for them.
          if (JSON.stringify(matrix.columns) !== JSON.stringify(this.columns))
            this.columns = matrix.columns;
          this.total = matrix.page.total;
          matrix.rows.forEach((row, i) => this.rows.set(offset + i, row));
          this.changed();
          return this.families.set(matrix.families);
        });
      // Every page-sized offset it covers is on its way, so scrolling there reads nothing more.
      const covered: number[] = [];
      for (let at = offset; at < offset + limit; at += pageSize) covered.push(at);
      for (const at of covered) this.pages.set(at, loading);
      loading.catch(() => covered.forEach((at) => this.pages.delete(at)));
    }
    return loading;
  }

  /**
   * Every paged row the filter passes, read in the API's largest pages where not yet loaded: what a
   * whole-column selection ticks. Rows read are kept, so scrolling there afterwards reads nothing.
   *
   * A release family's versions are left out, collapsed or expanded alike: their release places
   * them (its waves copy a version, the stable name moves to it, older ones are hidden and retired),
   * so ticking a site for every image must not also place every old version there by hand, over
   * the release. A version's own cells and name still tick it, one deliberate choice at a time.
   */
  async allRows(): Promise<MatrixRow[]> {
    const generation = this.generation;
    await this.loadPage(0);
    const reads: Promise<void>[] = [];
    for (let offset = 0; offset < this.total; offset += pageSize) {
      if (this.pages.has(offset)) reads.push(this.pages.get(offset)!);
      else reads.push(this.read(offset, Math.min(bulkPageSize, this.total - offset)));
      // read() registered every page this bulk read covers; skip past them.
      while (offset + pageSize < this.total && this.pages.get(offset + pageSize) === reads.at(-1))
        offset += pageSize;
    }
    await Promise.all(reads);
    if (generation !== this.generation)
      throw new Error('the filter changed while reading its rows');
    const rows: MatrixRow[] = [];
    for (let index = 0; index < this.total; index++) {
      const row = this.rows.get(index);
      if (row) rows.push(row);
    }
    return rows;
  }

  /** Reads these rows again where they are loaded; others are read when scrolled to. */
  async reloadRows(imageIds: string[]): Promise<void> {
    await Promise.all([this.reloadPaged(imageIds), this.families.reload(imageIds)]);
  }

  private async reloadPaged(imageIds: string[]): Promise<void> {
    const at = new Map<string, number>();
    for (const [index, row] of this.rows) if (imageIds.includes(row.id)) at.set(row.id, index);
    if (at.size === 0) return;
    const generation = this.generation;
    const matrix = this.arrange(
      await this.client.get<Matrix>(this.url({ image: [...at.keys()], limit: String(at.size) })),
    );
    if (generation !== this.generation) return;
    for (const row of matrix.rows) {
      const index = at.get(row.id);
      if (index !== undefined) this.rows.set(index, row);
    }
    this.changed();
  }

  /** Reads every loaded page again: sites changed under all rows (an inventory), or rows came and went. */
  async reloadAll(): Promise<void> {
    const offsets = [...this.pages.keys()];
    this.pages.clear();
    await Promise.all([...offsets.map((offset) => this.loadPage(offset)), this.families.reload()]);
  }

  /** The families' rows (which version holds the stable name where), and their versions shown. */
  private async reloadFamilies(): Promise<void> {
    const generation = this.generation;
    const reply = await this.client.get<Matrix>(this.url({ limit: '1' }));
    if (generation !== this.generation) return;
    await Promise.all([this.families.set(this.arrange(reply).families), this.families.reload()]);
  }

  /** What an event changes: progress is drawn from the event itself, anything else read again. */
  apply(event: GlintEvent): Promise<void> {
    if (event.type === 'cells')
      return event.imageIds ? this.reloadRows(event.imageIds) : this.reloadAll();
    // A release's renames come as cells events of their own; its family rows are read again.
    if (event.type === 'release') return this.reloadFamilies();
    // A rule change's placements come as cells events of their own.
    if (event.type === 'rules' || !event.imageId) return Promise.resolve();
    if (event.state === 'running' && event.bytes !== undefined && this.progress(event))
      return Promise.resolve();
    return this.reloadRows([event.imageId]);
  }

  /**
   * Moves the bytes of cells already shown transferring; false when some cell is not, to read it.
   * The row is replaced, not changed, so the drawing sees it changed.
   */
  private progress(event: Extract<GlintEvent, { type: 'job' }>): boolean {
    const at = [...this.rows].find(([, row]) => row.id === event.imageId);
    // A version row is read again whole; a row not shown anywhere waits until it is.
    if (!at) return !this.families.shows(event.imageId!);
    const [index, row] = at;
    const moving = (cell: MatrixCell) => event.siteIds.includes(cell.siteId);
    if (!row.cells.filter(moving).every((cell) => cell.state === 'transferring')) return false;
    this.rows.set(index, {
      ...row,
      cells: row.cells.map((cell) =>
        moving(cell)
          ? {
              ...cell,
              bytes: event.bytes,
              bytesPerSecond: event.bytesPerSecond ?? cell.bytesPerSecond,
            }
          : cell,
      ),
    });
    this.changed();
    return true;
  }
}
