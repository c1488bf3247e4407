import { LitElement, css, html, type PropertyValues } from 'lit';
import { ApiError, type ApiClient } from '../api-client';
import type { GlintEvent } from '@glint/core';
import type { Job, MatrixCell, MatrixRow, Plan, PlanChange } from '@glint/api/replies';
import { cellDetail, effectiveWanted, stateLooks } from './cell-display';
import { cellStyles } from './cell-styles';
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
} from './draw-rows';
import { MatrixData, defaultQuery, pageSize, type RowQuery, type SortKey } from './matrix-data';
import { pagesOf, visibleRange } from './virtual-window';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The orders the toolbar offers; the Image and Size headers sort too. */
const sortChoices: { value: string; label: string }[] = [
  { value: 'name', label: 'Name, A to Z' },
  { value: '-name', label: 'Name, Z to A' },
  { value: '-size', label: 'Largest first' },
  { value: 'size', label: 'Smallest first' },
  { value: '-created', label: 'Newest first' },
  { value: 'created', label: 'Oldest first' },
  { value: '-copies', label: 'Most copies first' },
  { value: 'copies', label: 'Fewest copies first' },
];
const sortValue = ({ key, descending }: RowQuery['sort']) => `${descending ? '-' : ''}${key}`;

/**
 * Images (rows) by sites (columns). Lit draws the frame (toolbar, header, plan); the rows in view
 * are drawn by D3 (draw-rows.ts) whenever data, scrolling or focus change. Clicks collect changes
 * of the desired state; Review shows their plan, Apply records it.
 */
export class GlintImageMatrix extends LitElement {
  static override properties = {
    client: { attribute: false },
    events: { attribute: false },
    plan: { state: true },
    error: { state: true },
    busy: { state: true },
    detailIndex: { state: true },
    query: { state: true },
  };

  declare client: ApiClient;
  /** The panel's event stream: `glint-event` (detail: a GlintEvent) and `reconnect`. */
  declare events: EventTarget;
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
      this.data.total,
    );
    for (const offset of pagesOf(rows, pageSize))
      this.data.loadPage(offset).catch((e) => this.fail(e));
    const slots: RowSlot[] = [];
    for (let index = rows.first; index < rows.end; index++)
      slots.push({ index, row: this.data.row(index) });
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

  private sortState(key: SortKey) {
    if (this.query.sort.key !== key) return 'none';
    return this.query.sort.descending ? 'descending' : 'ascending';
  }

  private cellAt(row: number, col: number) {
    const data = this.data.row(row);
    const cell = data?.cells[col];
    return data && cell ? { row: data, cell } : undefined;
  }

  private wanted(row: MatrixRow, cell: MatrixCell): boolean {
    return this.draw.pending.get(cellKey(row.id, cell.siteId)) ?? effectiveWanted(cell);
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

  /** The site for every image the filter passes, read first where not loaded yet. */
  private toggleColumn(col: number) {
    return this.run(async () => {
      const rows = await this.data.allRows();
      this.toggleAll(
        rows.flatMap((row) => (row.cells[col] ? [{ row, cell: row.cells[col] }] : [])),
      );
    });
  }

  /** What a click, Space or Enter does where it lands. */
  private activate(row: number, col: number) {
    if (row === headRow) {
      if (col === nameCol) this.sortBy('name');
      else if (col === sizeCol) this.sortBy('size');
      else void this.toggleColumn(col);
    } else if (col === nameCol) this.toggleRow(row);
    else if (col >= 0) this.toggle(row, col);
  }

  private focusCell(row: number, col: number) {
    const rows = this.data.total;
    const cols = this.data.columns.length;
    if (rows === 0 || cols === 0) return;
    this.draw.focus = {
      row: Math.max(headRow, Math.min(rows - 1, row)),
      col: Math.max(nameCol, Math.min(cols - 1, col)),
    };
    this.draw.version++;
    const scroller = this.scroller!;
    const focus = this.draw.focus;
    if (focus.row !== headRow) {
      // Below the sticky header, which covers the first row's height of the view.
      const top = focus.row * rowHeight;
      if (top < scroller.scrollTop) scroller.scrollTop = top;
      else if (top + 2 * rowHeight > scroller.scrollTop + scroller.clientHeight)
        scroller.scrollTop = top + 2 * rowHeight - scroller.clientHeight;
    }
    if (focus.col >= 0) {
      // Right of the sticky name and size.
      const left = focus.col * columnWidth;
      if (left < scroller.scrollLeft) scroller.scrollLeft = left;
      else if (left + leadWidth + columnWidth > scroller.scrollLeft + scroller.clientWidth)
        scroller.scrollLeft = left + leadWidth + columnWidth - scroller.clientWidth;
    }
    this.drawWindow();
    this.detailIndex++;
    // The header's roving tabindex is Lit's: focus once it has drawn.
    void this.updateComplete.then(() =>
      this.renderRoot
        .querySelector<HTMLElement>(`[data-row="${focus.row}"][data-col="${focus.col}"]`)
        ?.focus(),
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
    const last = this.data.columns.length - 1;
    const moves: Record<string, [number, number]> = {
      ArrowUp: [row - 1, col],
      ArrowDown: [row + 1, col],
      ArrowLeft: [row, col - 1],
      ArrowRight: [row, col + 1],
      PageUp: [Math.max(0, row - page), col],
      PageDown: [row + page, col],
      Home: event.ctrlKey ? [headRow, nameCol] : [row, nameCol],
      End: event.ctrlKey ? [this.data.total - 1, last] : [row, last],
    };
    const move = moves[event.key];
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

  private siteName = (id: string) => this.data.columns.find((c) => c.id === id)?.name ?? id;

  private renderDetail() {
    const found = this.cellAt(this.draw.focus.row, this.draw.focus.col);
    if (!found) return html`<div class="detail" aria-live="polite"></div>`;
    const { row, cell } = found;
    return html`<div class="detail" aria-live="polite">
      <span
        ><strong>${row.name}</strong> on <strong>${this.siteName(cell.siteId)}</strong>:
        ${stateLooks[cell.state].icon} ${stateLooks[cell.state].label} — ${cellDetail(cell)}</span
      >
      ${
        cell.state === 'error'
          ? html`<button
              class="retry"
              ?disabled=${this.busy}
              @click=${() => this.retry(row.id, cell.siteId)}
            >
              Retry
            </button>`
          : ''
      }
    </div>`;
  }

  private renderToolbar() {
    const pending = this.draw.pending.size;
    const onVisibility = (event: Event) =>
      this.setQuery({
        visibility: (event.target as HTMLSelectElement).value as RowQuery['visibility'],
      });
    const onSort = (event: Event) => {
      const value = (event.target as HTMLSelectElement).value;
      this.setQuery({
        sort: { key: value.replace(/^-/, '') as SortKey, descending: value.startsWith('-') },
      });
    };
    return html`<div class="toolbar">
      <input
        type="search"
        class="filter"
        placeholder="Filter by name"
        aria-label="Filter images by name"
        @input=${this.onFilter}
      />
      <label
        >Visibility
        <select class="visibility" @change=${onVisibility}>
          <option value="" ?selected=${this.query.visibility === ''}>any</option>
          ${(['private', 'shared', 'community', 'public'] as const).map(
            (v) => html`<option value=${v} ?selected=${this.query.visibility === v}>${v}</option>`,
          )}
        </select></label
      >
      <label
        ><input
          type="checkbox"
          class="conflicts"
          .checked=${this.query.conflicts}
          @change=${(e: Event) =>
            this.setQuery({ conflicts: (e.target as HTMLInputElement).checked })}
        />Conflicts only</label
      >
      <label
        >Sort
        <select class="sort" @change=${onSort}>
          ${sortChoices.map(
            (choice) =>
              html`<option
                value=${choice.value}
                ?selected=${sortValue(this.query.sort) === choice.value}
              >
                ${choice.label}
              </option>`,
          )}
        </select></label
      >
      <span class="count"
        >${plural(this.data.total, 'image')} · ${plural(this.data.columns.length, 'site')}</span
      >
      <button class="review" ?disabled=${pending === 0 || this.busy} @click=${this.review}>
        Review ${plural(pending, 'change')}
      </button>
    </div>`;
  }

  /** The header row: sorting by name and size, and a button per site for its whole column. */
  private renderHead(width: number) {
    const tabindex = (col: number) =>
      this.draw.focus.row === headRow && this.draw.focus.col === col ? 0 : -1;
    const sortHeader = (key: SortKey, col: number, label: string) =>
      html`<div class=${key} role="columnheader" aria-sort=${this.sortState(key)}>
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
      ${this.data.columns.map(
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

  override render() {
    const columns = this.data.columns;
    const width = leadWidth + columns.length * columnWidth;
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
        aria-label="Images by site. Space or Enter on a cell toggles whether the image is wanted on the site; on an image's name, on every site; on a site's header, for every image shown"
        aria-rowcount=${this.data.total + 1}
        aria-colcount=${columns.length + 2}
        aria-multiselectable="true"
        aria-busy=${this.busy ? 'true' : 'false'}
        style="--name-width: ${nameWidth}px; --size-width: ${sizeWidth}px; --column-width: ${columnWidth}px; --row-height: ${rowHeight}px; --width: ${width}px"
        @scroll=${this.onScroll}
        @click=${this.onClick}
        @keydown=${this.onKeyDown}
        @focusin=${this.onFocusIn}
      >
        ${this.renderHead(width)}
        <div
          class="body"
          role="rowgroup"
          style="height: ${this.data.total * rowHeight}px; width: ${width}px"
        ></div>
      </div>
      ${this.renderDetail()}`;
  }

  static override styles = [
    cellStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 10px;
        font:
          13px system-ui,
          sans-serif;
        color: #111827;
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 12px;
      }
      .filter {
        width: 240px;
        padding: 5px 8px;
      }
      .count {
        color: #4b5563;
      }
      .error {
        color: #7f1d1d;
        background: #fee2e2;
        padding: 6px 10px;
        border-radius: 4px;
      }
      .toolbar label {
        display: flex;
        align-items: center;
        gap: 4px;
        color: #374151;
      }
      .scroller {
        position: relative;
        overflow: auto;
        height: var(--matrix-height, 480px);
        border: 1px solid #d1d5db;
        border-radius: 6px;
        background: #fff;
      }
      .head {
        min-width: 100%;
        position: sticky;
        top: 0;
        z-index: 2;
        display: flex;
        height: var(--row-height);
        background: #f9fafb;
        border-bottom: 1px solid #d1d5db;
      }
      .head button {
        all: unset;
        box-sizing: border-box;
        width: 100%;
        height: 100%;
        cursor: pointer;
        display: flex;
        flex-direction: column;
        justify-content: center;
        font-weight: 600;
        overflow: hidden;
      }
      /* The order's arrow; aria-sort says the same to screen readers. */
      [aria-sort='ascending'] button::after {
        content: '\\a0▲' / '';
      }
      [aria-sort='descending'] button::after {
        content: '\\a0▼' / '';
      }
      .head button:hover {
        background: #eef2ff;
      }
      .head button:focus-visible,
      .toggle-row:focus-visible,
      .size:focus-visible {
        outline: 3px solid #111827;
        outline-offset: -3px;
      }
      .head .column {
        box-sizing: border-box;
        width: var(--column-width);
        flex: none;
      }
      .head .column button {
        padding: 0 8px;
      }
      .head .column span,
      .head .column small {
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .head .column small {
        font-weight: 400;
        color: #6b7280;
      }
      /* The image's name and size, kept in view when scrolling sideways. */
      .lead {
        position: sticky;
        left: 0;
        z-index: 1;
        flex: none;
        display: flex;
        height: 100%;
        width: calc(var(--name-width) + var(--size-width));
        background: inherit;
        border-right: 1px solid #e5e7eb;
      }
      .lead .name,
      .lead .row-head {
        box-sizing: border-box;
        width: var(--name-width);
        flex: none;
      }
      .lead .size {
        box-sizing: border-box;
        width: var(--size-width);
        flex: none;
        padding: 0 8px;
        display: flex;
        align-items: center;
        justify-content: flex-end;
        color: #4b5563;
        font-variant-numeric: tabular-nums;
      }
      .head .lead button {
        flex-direction: row;
        align-items: center;
        justify-content: flex-start;
      }
      .head .lead .name button {
        padding: 0 10px;
      }
      .head .lead .size {
        padding: 0;
      }
      .head .lead .size button {
        justify-content: flex-end;
        padding: 0 8px;
      }
      .body {
        position: relative;
        min-width: 100%;
      }
      .row {
        position: absolute;
        top: 0;
        left: 0;
        width: var(--width);
        height: var(--row-height);
        background: #fff;
        border-bottom: 1px solid #f3f4f6;
        box-sizing: border-box;
        /* Each row is laid out and painted on its own: a row entering leaves the others alone. */
        contain: strict;
      }
      .toggle-row {
        all: unset;
        box-sizing: border-box;
        width: 100%;
        height: 100%;
        padding: 0 10px;
        line-height: var(--row-height);
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
        cursor: pointer;
      }
      .toggle-row:hover {
        background: #eef2ff;
      }
      .row .cell {
        position: absolute;
        top: 4px;
        width: calc(var(--column-width) - 6px);
        height: calc(var(--row-height) - 8px);
        cursor: pointer;
      }
      .cell.changed {
        outline: 2px dashed #1d4ed8;
        outline-offset: 1px;
      }
      .cell:focus-visible {
        outline: 3px solid #111827;
        outline-offset: 1px;
      }
      .detail {
        min-height: 1.5em;
        display: flex;
        align-items: center;
        gap: 6px;
        flex-wrap: wrap;
      }
    `,
  ];
}
