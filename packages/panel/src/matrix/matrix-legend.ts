import { LitElement, css, html } from 'lit';
import type { CellState } from '@glint/api/replies';
import { stateLooks } from './cell-display';
import { cellStyles } from './cell-styles';

/** What each cell look means: the same icons, words and colours as the cells. */
export class GlintMatrixLegend extends LitElement {
  static override styles = [
    cellStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 16px;
        font-size: 12px;
        color: #374151;
      }
      .entry {
        display: flex;
        align-items: center;
        gap: 6px;
      }
      .cell {
        width: auto;
        min-width: 24px;
        height: 24px;
        padding: 0 6px 3px;
      }
      .cell.wanted::after {
        position: static;
      }
      .cell.wanted::before {
        content: none;
      }
      .cell[data-state='transferring'] {
        --progress: 0.6;
      }
    `,
  ];

  override render() {
    return html`<span class="entry"><span class="cell wanted"></span>wanted on the site</span>${(
        Object.keys(stateLooks) as CellState[]
      ).map(
        (state) =>
          html`<span class="entry" title=${stateLooks[state].meaning}
            ><span class="cell" data-state=${state} data-icon=${stateLooks[state].icon}
              >${stateLooks[state].label}</span
            ></span
          >`,
      )}`;
  }
}
