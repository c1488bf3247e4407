import { css } from 'lit';

/** The cell look, shared by the grid and its legend so they cannot disagree. */
export const cellStyles = css`
  .cell {
    position: relative;
    box-sizing: border-box;
    display: flex;
    align-items: center;
    gap: 4px;
    padding: 0 8px;
    font-size: 12px;
    border-radius: 4px;
    background: #f3f4f6;
    color: #374151;
    border: 1px solid #e5e7eb;
    transition:
      background-color 300ms,
      color 300ms;
  }
  .cell .icon {
    font-weight: 700;
    width: 1em;
    text-align: center;
  }
  .cell .wanted {
    position: absolute;
    top: 1px;
    right: 4px;
    font-size: 11px;
    color: #1d4ed8;
  }
  .cell.wanted {
    border-color: #1d4ed8;
  }
  .cell[data-state='present'] {
    background: #dcfce7;
    color: #14532d;
  }
  .cell[data-state='missing'] {
    background: #ffffff;
    color: #6b7280;
  }
  .cell[data-state='queued'] {
    background: #fef9c3;
    color: #713f12;
  }
  .cell[data-state='transferring'] {
    background: #dbeafe;
    color: #1e3a8a;
  }
  .cell[data-state='deleting'] {
    background: #fce7f3;
    color: #831843;
  }
  .cell[data-state='error'] {
    background: #fee2e2;
    color: #7f1d1d;
  }
  .cell[data-state='conflict'] {
    background: #ffedd5;
    color: #7c2d12;
  }
  .cell[data-state='unmanaged'] {
    background: #ede9fe;
    color: #4c1d95;
  }
`;
