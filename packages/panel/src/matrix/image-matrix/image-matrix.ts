import { LitElement, html, type PropertyValues } from 'lit';
import { ApiError } from '@glint/core/client';
import type { ApiClient } from '../../api-client';
import type { GlintEvent } from '@glint/core';
import type { Job, MatrixCell, MatrixRow, Plan, PlanChange } from '@glint/api/replies';
import { effectiveWanted, shownWanted } from '../cell-display';
import {
  cellKey,
  columnWidth,
  drawRows,
  headRow,
  leadWidth,
  nameCol,
  nameWidth,
  rowHeight,
  sizeCol,
  sizeWidth,
  type DrawState,
  type RowSlot,
} from '../draw-rows';
import {
  MatrixData,
  columnGroups,
  defaultQuery,
  pageSize,
  type RowQuery,
  type SortKey,
} from '../matrix-data';
import { pagesOf, visibleRange } from '../virtual-window';
import { cellFocusDetail } from './cell-focus-detail';
import { keyMove, scrollToFocus } from './grid-navigation';
import { groupBand, groupBandHeight, matrixHead } from './head';
import { matrixStyles } from './styles';
import { matrixToolbar } from './toolbar';
import { may, refusal, type Role } from '../../roles';

/**
 * Images (rows) by sites (columns). Lit draws the frame (toolbar, header, plan); the rows in view
 * are drawn by D3 (draw-rows.ts) whenever data, scrolling or focus change. Clicks collect changes
 * of the desired state; Review shows their plan, Apply records it.
 */
export class GlintImageMatrix extends LitElement {
  static override styles = matrixStyles;

  static override properties = {
    client: { attribute: false },
    events: { attribute: false },
    role: { attribute: false },
    plan: { state: true },
    error: { state: true },
    busy: { state: true },
    detailIndex: { state: true },
    query: { state: true },
  };

  declare client: ApiClient;
  /** The panel's event stream: `glint-event` (detail: a GlintEvent) and `reconnect`. */
  declare events: EventTarget;
  /** The caller's role: a reader looks, and changes nothing. */
  declare role: Role;
  declare plan: Plan | null;
  declare error: string | null;
  declare busy: boolean;
  /** The focused cell's row was drawn anew: focus its cell again once it is there. */
  private refocusCell = false;
  /** Bumped to draw the details of the focused cell again. */
  declare detailIndex: number;
  /** The filters and order of the rows. */
  declare query: RowQuery;

  private data!: MatrixData;
  private readonly draw: DrawState = {
    columns: [],
    columnRange: { first: 0, end: 0 },
    pending: new Map(),
    groupStarts: new Set(),
    focus: { row: 0, col: 0 },
    version: 0,
  };
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  /** A scroll draws once per frame, however many scroll events the frame had. */
  private scrollFrame = 0;

  constructor() {
    super();
    this.plan = null;
    this.error = null;
    this.busy = false;
    this.detailIndex = 0;
    this.query = defaultQuery;
    this.role = null;
  }

  private readonly onEvent = (event: Event) => {
    this.data.apply((event as CustomEvent<GlintEvent>).detail).catch((e) => this.fail(e));
  };
  private readonly onReconnect = () => {
    this.data.reloadAll().catch((e) => this.fail(e));
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.data = new MatrixData(this.client, () => this.requestUpdate());
    this.events.addEventListener('glint-event', this.onEvent);
    this.events.addEventListener('reconnect', this.onReconnect);
    this.data.setQuery(this.query).catch((e) => this.fail(e));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.events.removeEventListener('glint-event', this.onEvent);
    this.events.removeEventListener('reconnect', this.onReconnect);
    cancelAnimationFrame(this.scrollFrame);
  }

  private fail(error: unknown) {
    if (error instanceof ApiError && error.status === 401) {
      // The session or token ended: the panel decides what comes next (a login, or a message).
      this.dispatchEvent(
        new CustomEvent('session-ended', { bubbles: true, composed: true, detail: error }),
      );
      return;
    }
    this.error = error instanceof ApiError ? error.message : String(error);
  }

  private get scroller(): HTMLElement | null {
    return this.renderRoot.querySelector('.scroller');
  }

  /**
   * The rows and site columns in view (loading the pages they are on) drawn by D3. `animate` is
   * false for a scroll, which changes only what is in view.
   */
  private drawWindow(animate = true) {
    const scroller = this.scroller;
    const body = this.renderRoot.querySelector<HTMLElement>('.body');
    if (!scroller || !body) return;
    const rows = visibleRange(
      scroller.scrollTop,
      scroller.clientHeight,
      rowHeight,
      this.data.length,
    );
    for (const offset of pagesOf(this.data.pagesIn(rows.first, rows.end), pageSize))
      this.data.loadPage(offset).catch((e) => this.fail(e));
    const slots: RowSlot[] = [];
    for (let index = rows.first; index < rows.end; index++)
      slots.push({ index, row: this.data.row(index), entry: this.data.entry(index) });
    if (this.draw.columns !== this.data.columns) {
      this.draw.columns = this.data.columns;
      this.draw.version++;
    }
    this.draw.columnRange = visibleRange(
      scroller.scrollLeft,
      scroller.clientWidth - leadWidth,
      columnWidth,
      this.data.columns.length,
      2,
    );
    const root = this.renderRoot as ShadowRoot;
    const focused = root.activeElement;
    const cellFocused = focused?.matches('.row [data-row][data-col]') ?? false;
    drawRows(body, slots, this.draw, animate);
    // A row read again (a new filter, a page reloaded) is a new element, and its cells may come a
    // page read later: keep the keyboard on the grid rather than dropping it to the page.
    if (cellFocused && (!focused!.isConnected || !focused!.closest('.row')))
      this.refocusCell = true;
    if (!this.refocusCell) return;
    // Focus elsewhere (not on a fading row's cell) is the user's choice: leave it there.
    const active = root.activeElement;
    if (active && !active.closest('[aria-hidden="true"]')) {
      this.refocusCell = false;
      return;
    }
    const { row, col } = this.draw.focus;
    const cell = root.querySelector<HTMLElement>(`.row [data-row="${row}"][data-col="${col}"]`);
    if (cell) {
      cell.focus();
      this.refocusCell = false;
    }
  }

  private readonly onScroll = () => {
    if (this.scrollFrame) return;
    this.scrollFrame = requestAnimationFrame(() => {
      this.scrollFrame = 0;
      this.drawWindow(false);
    });
  };

  protected override updated(_changed: PropertyValues): void {
    this.drawWindow();
  }

  /** Reads the rows again under other filters or another order, from the top. */
  private setQuery(change: Partial<RowQuery>) {
    const query = { ...this.query, ...change };
    // Typing a filter back to what it was reads nothing again.
    if (JSON.stringify(query) === JSON.stringify(this.query)) return;
    this.query = query;
    // Back to the first row, unless the focus is on the header (a sort clicked or keyed there).
    if (this.draw.focus.row !== headRow) this.draw.focus = { row: 0, col: this.draw.focus.col };
    this.draw.version++;
    if (this.scroller) this.scroller.scrollTop = 0;
    this.data.setQuery(this.query).catch((e) => this.fail(e));
  }

  private onFilter(event: InputEvent) {
    const value = (event.target as HTMLInputElement).value;
    clearTimeout(this.filterTimer);
    this.filterTimer = setTimeout(() => this.setQuery({ name: value }), 250);
  }

  /** A header click: by this key A to Z (or smallest first), or the other way when already so. */
  private sortBy(key: SortKey) {
    const { sort } = this.query;
    this.setQuery({ sort: { key, descending: sort.key === key && !sort.descending } });
  }

  private cellAt(row: number, col: number) {
    const data = this.data.row(row);
    const cell = data?.cells[col];
    return data && cell ? { row: data, cell } : undefined;
  }

  private wanted(row: MatrixRow, cell: MatrixCell): boolean {
    return shownWanted(cell, this.draw.pending.get(cellKey(row.id, cell.siteId)));
  }

  /**
   * Flips the cells together: all wanted when any is not, else none. Changes that undo themselves
   * are dropped, so the pending count is what Review will send.
   */
  private toggleAll(cells: { row: MatrixRow; cell: MatrixCell }[]) {
    if (cells.length === 0) return;
    const wanted = !cells.every(({ row, cell }) => this.wanted(row, cell));
    for (const { row, cell } of cells) {
      const key = cellKey(row.id, cell.siteId);
      if (wanted === effectiveWanted(cell)) this.draw.pending.delete(key);
      else this.draw.pending.set(key, wanted);
    }
    this.draw.version++;
    this.plan = null;
    this.requestUpdate();
  }

  private toggle(rowIndex: number, col: number) {
    const found = this.cellAt(rowIndex, col);
    if (found) this.toggleAll([found]);
  }

  /** The image on every site. */
  private toggleRow(rowIndex: number) {
    const row = this.data.row(rowIndex);
    if (row) this.toggleAll(row.cells.map((cell) => ({ row, cell })));
  }

  /**
   * The site for every image the filter passes, read first where not loaded yet; release versions
   * are left out, as their release places them (`allRows`).
   */
  private toggleColumn(col: number) {
    return this.run(async () => {
      const rows = await this.data.allRows();
      this.toggleAll(
        rows.flatMap((row) => (row.cells[col] ? [{ row, cell: row.cells[col] }] : [])),
      );
    });
  }

  /** Expands a family's row to its versions' rows, or collapses it; anyone may. */
  private toggleFamily(familyId: string) {
    this.draw.version++;
    this.data.families.toggle(familyId).catch((e) => this.fail(e));
  }

  /** What a click, Space or Enter does where it lands; a reader's only sort and expanding. */
  private activate(row: number, col: number) {
    const entry = this.data.entry(row);
    if (entry?.kind === 'family') {
      if (col === nameCol) this.toggleFamily(entry.family.id);
    } else if (row === headRow && col === nameCol) this.sortBy('name');
    else if (row === headRow && col === sizeCol) this.sortBy('size');
    else if (!may(this.role, 'place')) return;
    else if (row === headRow) void this.toggleColumn(col);
    else if (col === nameCol) this.toggleRow(row);
    else if (col >= 0) this.toggle(row, col);
  }

  private focusCell(row: number, col: number) {
    const rows = this.data.length;
    const cols = this.data.columns.length;
    if (rows === 0 || cols === 0) return;
    this.draw.focus = {
      row: Math.max(headRow, Math.min(rows - 1, row)),
      col: Math.max(nameCol, Math.min(cols - 1, col)),
    };
    this.draw.version++;
    const focus = this.draw.focus;
    scrollToFocus(this.scroller!, focus, this.query.groupBy ? groupBandHeight : 0);
    this.drawWindow();
    this.detailIndex++;
    // The header's roving tabindex is Lit's: focus once it has drawn. A row fading out (a sort or
    // filter just moved the rows) is no .row any more and may still carry the index: not it.
    const at = `[data-row="${focus.row}"][data-col="${focus.col}"]`;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`.head ${at}, .row ${at}`)?.focus(),
    );
  }

  private targetCell(event: Event): { row: number; col: number } | undefined {
    const cell = (event.target as Element).closest?.('[data-row][data-col]');
    if (!cell) return undefined;
    return {
      row: Number(cell.getAttribute('data-row')),
      col: Number(cell.getAttribute('data-col')),
    };
  }

  private onClick(event: MouseEvent) {
    const at = this.targetCell(event);
    if (!at) return;
    this.focusCell(at.row, at.col);
    this.activate(at.row, at.col);
  }

  private onKeyDown(event: KeyboardEvent) {
    const { row, col } = this.draw.focus;
    const page = Math.max(1, Math.floor((this.scroller?.clientHeight ?? 0) / rowHeight) - 2);
    const move = keyMove(event, this.draw.focus, page, {
      rows: this.data.length,
      columns: this.data.columns.length,
    });
    if (move) {
      event.preventDefault();
      this.focusCell(...move);
    } else if (event.key === ' ' || event.key === 'Enter') {
      // A button's own click does it; the cells are not buttons.
      if ((event.target as Element).localName === 'button') return;
      event.preventDefault();
      this.activate(row, col);
    }
  }

  private onFocusIn(event: FocusEvent) {
    const at = this.targetCell(event);
    if (at && (at.row !== this.draw.focus.row || at.col !== this.draw.focus.col)) {
      this.draw.focus = at;
      this.draw.version++;
      this.drawWindow();
    }
    this.detailIndex++;
  }

  private changes(): PlanChange[] {
    return [...this.draw.pending].map(([key, wanted]) => {
      const [image, site] = key.split(' ') as [string, string];
      return { image, site, wanted };
    });
  }

  private async run(action: () => Promise<void>) {
    this.busy = true;
    this.error = null;
    try {
      await action();
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = false;
    }
  }

  private review = () =>
    this.run(async () => {
      this.plan = await this.client.post<Plan>('/plan', { changes: this.changes() });
    });

  private apply = () =>
    this.run(async () => {
      const changes = this.changes();
      await this.client.put('/placements', { changes });
      this.draw.pending.clear();
      this.draw.version++;
      this.plan = null;
      await this.data.reloadRows([...new Set(changes.map((c) => c.image))]);
    });

  /** Runs the cell's failed job again; its events then move the cell. */
  private retry(imageId: string, siteId: string) {
    return this.run(async () => {
      // Newest first: the cell's latest job, which the cell shows failed.
      const { jobs } = await this.client.get<{ jobs: Job[] }>(
        `/jobs?image=${imageId}&site=${siteId}&limit=50`,
      );
      const job = jobs.find((j) => j.parts.some((part) => part.siteId === siteId));
      if (!job?.parts.some((part) => part.siteId === siteId && part.state === 'failed'))
        throw new Error('no failed job of this cell is left to retry');
      await this.client.post(`/jobs/${encodeURIComponent(job.id)}/retry?site=${siteId}`);
      await this.data.reloadRows([imageId]);
    });
  }

  /** Gives the cell back to the rules as a pending change, and shows the plan it makes. */
  private giveBack(imageId: string, siteId: string) {
    this.draw.pending.set(cellKey(imageId, siteId), null);
    this.draw.version++;
    this.requestUpdate();
    void this.review();
  }

  private siteName = (id: string) => this.data.columns.find((c) => c.id === id)?.name ?? id;

  private renderDetail() {
    return cellFocusDetail(this.cellAt(this.draw.focus.row, this.draw.focus.col), this.siteName, {
      busy: this.busy,
      retryRefusal: refusal(this.role, 'jobs'),
      retry: (imageId, siteId) => void this.retry(imageId, siteId),
      placeRefusal: refusal(this.role, 'place'),
      giveBack: (imageId, siteId) => this.giveBack(imageId, siteId),
    });
  }

  private renderToolbar() {
    return matrixToolbar(
      {
        query: this.query,
        images: this.data.imageCount,
        families: this.data.families.count,
        sites: this.data.columns.length,
        pending: this.draw.pending.size,
        busy: this.busy,
        placeRefusal: refusal(this.role, 'place'),
        labelKeys: [...new Set(this.data.columns.flatMap((column) => Object.keys(column.labels)))],
      },
      {
        filter: (event) => this.onFilter(event),
        setQuery: (change) => this.setQuery(change),
        review: this.review,
      },
    );
  }

  override render() {
    const columns = this.data.columns;
    const width = leadWidth + columns.length * columnWidth;
    const groupBy = this.query.groupBy;
    const groups = groupBy ? columnGroups(columns, groupBy) : [];
    this.draw.groupStarts = new Set(groups.slice(1).map((group) => group.first));
    return html`${this.renderToolbar()}
      <glint-matrix-legend></glint-matrix-legend>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${
        this.plan
          ? html`<glint-plan-review
              .plan=${this.plan}
              .busy=${this.busy}
              @apply=${this.apply}
              @cancel=${() => (this.plan = null)}
            ></glint-plan-review>`
          : ''
      }
      <div
        class="scroller"
        role="grid"
        aria-label=${
          may(this.role, 'place')
            ? "Images by site. Space or Enter on a cell toggles whether the image is wanted on the site; on an image's name, on every site; on a site's header, for every image shown but release versions, which their release places; on a release family's name, shows or hides its versions"
            : "Images by site, read-only: placing images needs the member role. Space or Enter on a release family's name shows or hides its versions"
        }
        aria-rowcount=${this.data.length + 1}
        aria-colcount=${columns.length + 2}
        aria-multiselectable="true"
        aria-busy=${this.busy ? 'true' : 'false'}
        style="--name-width: ${nameWidth}px; --size-width: ${sizeWidth}px; --column-width: ${columnWidth}px; --row-height: ${rowHeight}px; --width: ${width}px; --groups-height: ${groupBy ? groupBandHeight : 0}px"
        @scroll=${this.onScroll}
        @click=${this.onClick}
        @keydown=${this.onKeyDown}
        @focusin=${this.onFocusIn}
      >
        ${groupBy ? groupBand(groupBy, groups, width) : ''}
        ${matrixHead(columns, this.draw.focus, this.query.sort, width, groupBy)}
        <div
          class="body"
          role="rowgroup"
          style="height: ${this.data.length * rowHeight}px; width: ${width}px"
        ></div>
      </div>
      ${this.renderDetail()}`;
  }
}
