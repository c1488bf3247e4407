import { html, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { MatrixCell, MatrixRow } from '@glint/api/replies';
import { cellDetail, overriddenRule, placedText, stateLooks } from '../cell-display';

/** What the details offer on the focused cell, and why the caller may not, when they may not. */
export interface CellActions {
  busy: boolean;
  retryRefusal: string | undefined;
  retry: (imageId: string, siteId: string) => void;
  placeRefusal: string | undefined;
  /** Gives a hand-decided cell back to the rule it overrides (through the plan review). */
  giveBack: (imageId: string, siteId: string) => void;
}

/**
 * The focused cell's details below the grid (an error's message, a transfer's bytes, rate and time
 * left), with Retry for an error cell and "Give back to rule" for a hand decision overriding a
 * rule. Empty, but there for screen readers, when no cell is focused.
 */
export function cellFocusDetail(
  found: { row: MatrixRow; cell: MatrixCell } | undefined,
  siteName: (id: string) => string,
  actions: CellActions,
): TemplateResult {
  if (!found) return html`<div class="detail" aria-live="polite"></div>`;
  const { row, cell } = found;
  const rule = overriddenRule(cell);
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
            ?disabled=${actions.busy || actions.retryRefusal !== undefined}
            title=${ifDefined(actions.retryRefusal)}
            @click=${() => actions.retry(row.id, cell.siteId)}
          >
            Retry
          </button>`
        : ''
    }
    ${
      rule
        ? html`<button
            class="give-back"
            ?disabled=${actions.busy || actions.placeRefusal !== undefined}
            title=${
              actions.placeRefusal ??
              `Clear the hand decision: rule ${rule} decides this cell again (reviewed before it is applied)`
            }
            @click=${() => actions.giveBack(row.id, cell.siteId)}
          >
            Give back to rule ${rule}
          </button>`
        : ''
    }
  </div>`;
}
