import { html, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { MatrixCell, MatrixRow } from '@glint/api/replies';
import { cellDetail, placedText, stateLooks } from '../cell-display';

/**
 * The focused cell's details below the grid (an error's message, a transfer's bytes, rate and time
 * left), with Retry for an error cell. Empty, but there for screen readers, when no cell is focused.
 */
export function cellFocusDetail(
  found: { row: MatrixRow; cell: MatrixCell } | undefined,
  siteName: (id: string) => string,
  busy: boolean,
  /** Why the caller may not retry, when they may not. */
  retryRefusal: string | undefined,
  retry: (imageId: string, siteId: string) => void,
): TemplateResult {
  if (!found) return html`<div class="detail" aria-live="polite"></div>`;
  const { row, cell } = found;
  return html`<div class="detail" aria-live="polite">
    <span
      ><strong>${row.name}</strong> on <strong>${siteName(cell.siteId)}</strong>:
      ${stateLooks[cell.state].icon} ${stateLooks[cell.state].label} —
      ${cellDetail(cell)}${
        placedText(cell) ? html` · <span class="placed">${placedText(cell)}</span>` : ''
      }</span
    >
    ${
      cell.state === 'error'
        ? html`<button
            class="retry"
            ?disabled=${busy || retryRefusal !== undefined}
            title=${ifDefined(retryRefusal)}
            @click=${() => retry(row.id, cell.siteId)}
          >
            Retry
          </button>`
        : ''
    }
  </div>`;
}
