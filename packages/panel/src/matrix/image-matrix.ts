import { LitElement, css, html, type PropertyValues } from 'lit';
import { ApiError, type ApiClient } from '../api-client';
import type { GlintEvent, Job, Plan, PlanChange } from '../api-types';
import { cellDetail, effectiveWanted, stateLooks } from './cell-display';
import { cellStyles } from './cell-styles';
import { cellKey, drawRows, rowHeight, type DrawState, type RowSlot } from './draw-rows';
import { MatrixData, pageSize } from './matrix-data';
import { pagesOf, rowWindow } from './virtual-window';

const nameWidth = 240;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const columnWidth = 132;

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
  };

  declare client: ApiClient;
  /** The panel's event stream: `glint-event` (detail: a GlintEvent) and `reconnect`. */
  declare events: EventTarget;
  declare plan: Plan | null;
  declare error: string | null;
  declare busy: boolean;
  /** Bumped to draw the details of the focused cell again. */
  declare detailIndex: number;

  private data!: MatrixData;
  private readonly draw: DrawState = {
    columns: [],
    pending: new Map(),
    focus: { row: 0, col: 0 },
    version: 0,
  };
  private filterTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.plan = null;
    this.error = null;
    this.busy = false;
    this.detailIndex = 0;
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
    this.data.setFilter('').catch((e) => this.fail(e));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.events.removeEventListener('glint-event', this.onEvent);
    this.events.removeEventListener('reconnect', this.onReconnect);
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

  /** The rows in view (loading the pages they are on) drawn by D3. */
  private drawWindow() {
    const scroller = this.scroller;
    const body = this.renderRoot.querySelector<HTMLElement>('.body');
    if (!scroller || !body) return;
    const window = rowWindow(scroller.scrollTop, scroller.clientHeight, rowHeight, this.data.total);
    for (const offset of pagesOf(window, pageSize))
      this.data.loadPage(offset).catch((e) => this.fail(e));
    const slots: RowSlot[] = [];
    for (let index = window.first; index < window.end; index++)
      slots.push({ index, row: this.data.row(index) });
    if (this.draw.columns !== this.data.columns) {
      this.draw.columns = this.data.columns;
      this.draw.version++;
    }
    drawRows(body, slots, this.draw);
  }

  protected override updated(_changed: PropertyValues): void {
    this.drawWindow();
  }

  private onFilter(event: InputEvent) {
    const value = (event.target as HTMLInputElement).value;
    clearTimeout(this.filterTimer);
    this.filterTimer = setTimeout(() => {
      this.draw.focus = { row: 0, col: 0 };
      this.draw.version++;
      this.data.setFilter(value).catch((e) => this.fail(e));
    }, 250);
  }

  private cellAt(row: number, col: number) {
    const data = this.data.row(row);
    const cell = data?.cells[col];
    return data && cell ? { row: data, cell } : undefined;
  }

  private toggle(rowIndex: number, col: number) {
    const found = this.cellAt(rowIndex, col);
    if (!found) return;
    const key = cellKey(found.row.id, found.cell.siteId);
    const wanted = !(this.draw.pending.get(key) ?? effectiveWanted(found.cell));
    if (wanted === effectiveWanted(found.cell)) this.draw.pending.delete(key);
    else this.draw.pending.set(key, wanted);
    this.draw.version++;
    this.plan = null;
    this.requestUpdate();
  }

  private focusCell(row: number, col: number) {
    const rows = this.data.total;
    const cols = this.data.columns.length;
    if (rows === 0 || cols === 0) return;
    this.draw.focus = {
      row: Math.max(0, Math.min(rows - 1, row)),
      col: Math.max(0, Math.min(cols - 1, col)),
    };
    this.draw.version++;
    const scroller = this.scroller!;
    const top = this.draw.focus.row * rowHeight;
    const headHeight = rowHeight;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + rowHeight > scroller.scrollTop + scroller.clientHeight - headHeight)
      scroller.scrollTop = top + rowHeight + headHeight - scroller.clientHeight;
    this.drawWindow();
    this.detailIndex++;
    this.renderRoot
      .querySelector<HTMLElement>(
        `.cell[data-row="${this.draw.focus.row}"][data-col="${this.draw.focus.col}"]`,
      )
      ?.focus();
  }

  private targetCell(event: Event): { row: number; col: number } | undefined {
    const cell = (event.target as Element).closest?.('.cell[data-row]');
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
    this.toggle(at.row, at.col);
  }

  private onKeyDown(event: KeyboardEvent) {
    const { row, col } = this.draw.focus;
    const page = Math.max(1, Math.floor((this.scroller?.clientHeight ?? 0) / rowHeight) - 1);
    const moves: Record<string, [number, number]> = {
      ArrowUp: [row - 1, col],
      ArrowDown: [row + 1, col],
      ArrowLeft: [row, col - 1],
      ArrowRight: [row, col + 1],
      PageUp: [row - page, col],
      PageDown: [row + page, col],
      Home: event.ctrlKey ? [0, 0] : [row, 0],
      End: event.ctrlKey ? [this.data.total - 1, col] : [row, this.data.columns.length - 1],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      this.focusCell(...move);
    } else if (event.key === ' ' || event.key === 'Enter') {
      event.preventDefault();
      this.toggle(row, col);
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
      const { jobs } = await this.client.get<{ jobs: Job[] }>(
        `/jobs?image=${imageId}&site=${siteId}&state=failed&limit=50`,
      );
      const job = jobs.find((j) => j.destinationSiteId === siteId);
      if (!job) throw new Error('no failed job of this cell is left to retry');
      await this.client.post(`/jobs/${job.id}/retry`);
      await this.data.reloadRows([imageId]);
    });
  }

  private imageName = (id: string) => {
    for (let i = 0; i < this.data.total; i++)
      if (this.data.row(i)?.id === id) return this.data.row(i)!.name;
    return id;
  };

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

  override render() {
    const columns = this.data.columns;
    const width = nameWidth + columns.length * columnWidth;
    const pending = this.draw.pending.size;
    return html`<div class="toolbar">
        <input
          type="search"
          class="filter"
          placeholder="Filter by name"
          aria-label="Filter images by name"
          @input=${this.onFilter}
        />
        <span class="count"
          >${plural(this.data.total, 'image')} · ${plural(columns.length, 'site')}</span
        >
        <button class="review" ?disabled=${pending === 0 || this.busy} @click=${this.review}>
          Review ${plural(pending, 'change')}
        </button>
      </div>
      <glint-matrix-legend></glint-matrix-legend>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${
        this.plan
          ? html`<glint-plan-review
              .plan=${this.plan}
              .imageName=${this.imageName}
              .siteName=${this.siteName}
              .busy=${this.busy}
              @apply=${this.apply}
              @cancel=${() => (this.plan = null)}
            ></glint-plan-review>`
          : ''
      }
      <div
        class="scroller"
        role="grid"
        aria-label="Images by site; Space or Enter toggles whether an image is wanted on a site"
        aria-rowcount=${this.data.total + 1}
        aria-colcount=${columns.length + 1}
        aria-multiselectable="true"
        style="--name-width: ${nameWidth}px; --column-width: ${columnWidth}px; --row-height: ${rowHeight}px"
        @scroll=${() => this.drawWindow()}
        @click=${this.onClick}
        @keydown=${this.onKeyDown}
        @focusin=${this.onFocusIn}
      >
        <div class="head" role="row" aria-rowindex="1" style="width: ${width}px">
          <div class="name" role="columnheader">Image</div>
          ${columns.map(
            (column) =>
              html`<div class="column" role="columnheader" title=${column.name}>
                <span>${column.name}</span><small>${column.region ?? column.type}</small>
              </div>`,
          )}
        </div>
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
      .head .column {
        box-sizing: border-box;
        width: var(--column-width);
        flex: none;
        display: flex;
        flex-direction: column;
        justify-content: center;
        padding: 0 8px;
        font-weight: 600;
        overflow: hidden;
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
      .name {
        box-sizing: border-box;
        position: sticky;
        left: 0;
        z-index: 1;
        flex: none;
        width: var(--name-width);
        padding: 0 10px;
        display: flex;
        align-items: center;
        background: inherit;
        font-weight: 600;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .head .name {
        display: flex;
      }
      .body {
        position: relative;
        min-width: 100%;
      }
      .row {
        position: absolute;
        top: 0;
        left: 0;
        right: 0;
        display: flex;
        align-items: center;
        height: var(--row-height);
        background: #fff;
        border-bottom: 1px solid #f3f4f6;
      }
      .row .name {
        display: block;
        line-height: var(--row-height);
        font-weight: 400;
      }
      .row .cell {
        flex: none;
        width: calc(var(--column-width) - 6px);
        height: calc(var(--row-height) - 8px);
        margin: 0 3px;
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
      .cell .bar {
        position: absolute;
        left: 6px;
        right: 6px;
        bottom: 4px;
        height: 3px;
      }
      .cell .fill {
        height: 100%;
        width: 0;
        background: #1d4ed8;
        transition: width 300ms;
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
