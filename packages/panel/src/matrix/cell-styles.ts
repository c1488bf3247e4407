import { css } from 'lit';

/**
 * The cell look, shared by the grid and its legend so they cannot disagree. A cell is one element
 * and its text: the state's icon (`data-icon`), the wanted tick and a transfer's progress bar are
 * drawn by CSS, which keeps a screen of 2,000 × 50 cells light.
 */
export const cellStyles = css`
  .cell {
    position: relative;
    box-sizing: border-box;
    display: flex;
    align-items: center;
    gap: 4px;
    padding: 0 8px;
    font-size: 12px;
    white-space: nowrap;
    overflow: hidden;
    border-radius: 4px;
    background-color: #f3f4f6;
    color: #374151;
    border: 1px solid #e5e7eb;
    background-repeat: no-repeat;
    background-position: 6px calc(100% - 4px);
    background-size: 0 3px;
    transition:
      background-color 300ms,
      color 300ms,
      background-size 300ms;
  }
  .cell::before {
    /* The state's icon; the word after it says the same to screen readers. */
    content: attr(data-icon) / '';
    font-weight: 700;
    width: 1em;
    flex: none;
    text-align: center;
  }
  /* A hidden copy (os_hidden): there, bootable by id, and out of the site's listings. */
  .cell[data-hidden='true'] {
    border-style: dashed;
    border-color: #4b5563;
  }
  .cell.wanted {
    border-color: #1d4ed8;
  }
  .cell.wanted::after {
    content: '✓' / '';
    position: absolute;
    top: 1px;
    right: 4px;
    font-size: 11px;
    color: #1d4ed8;
  }
  /*
   * Placed by a standing rule: a violet bar on the left; ticked by hand over a rule: amber. The
   * grid adds its own edge (a column group's start) to the same shadow list.
   */
  .cell {
    box-shadow: var(--group-edge, 0 0 transparent), var(--placed-edge, 0 0 transparent);
  }
  .cell[data-placed='rule'] {
    --placed-edge: inset 4px 0 0 #7c3aed;
  }
  .cell[data-placed='override'] {
    --placed-edge: inset 4px 0 0 #d97706;
  }
  .cell[data-state='present'] {
    background-color: #dcfce7;
    color: #14532d;
  }
  .cell[data-state='missing'] {
    background-color: #ffffff;
    color: #6b7280;
  }
  .cell[data-state='queued'] {
    background-color: #fef9c3;
    color: #713f12;
  }
  .cell[data-state='transferring'] {
    background-color: #dbeafe;
    color: #1e3a8a;
    /* The progress bar along the bottom, as wide as the share copied. */
    background-image: linear-gradient(#1d4ed8, #1d4ed8);
    background-size: calc((100% - 12px) * var(--progress, 0)) 3px;
  }
  .cell[data-state='deleting'] {
    background-color: #fce7f3;
    color: #831843;
  }
  .cell[data-state='error'] {
    background-color: #fee2e2;
    color: #7f1d1d;
  }
  .cell[data-state='conflict'] {
    background-color: #ffedd5;
    color: #7c2d12;
  }
  .cell[data-state='unmanaged'] {
    background-color: #ede9fe;
    color: #4c1d95;
  }
`;
