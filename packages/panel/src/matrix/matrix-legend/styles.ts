import { css } from 'lit';
import { cellStyles } from '../cell-styles';

/** The legend: the cells' own look, laid out as a wrapping row of entries. */
export const legendStyles = [
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
