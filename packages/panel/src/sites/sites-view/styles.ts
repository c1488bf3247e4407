import { css } from 'lit';
import { labelChipStyles } from '../../label-chips';
import { viewStyles } from '../../view-styles';

/** The sites table: health colours, confirmations in red, names as links to their activity. */
export const sitesViewStyles = [
  viewStyles,
  labelChipStyles,
  css`
    h2 {
      margin-right: auto;
    }
    thead th,
    tbody th {
      white-space: nowrap;
    }
    tbody th {
      font-weight: 600;
    }
    button.link {
      border: none;
      padding: 0;
      background: none;
      font-weight: 600;
      color: #1d4ed8;
      text-decoration: underline;
      text-align: left;
    }
    small.account {
      display: block;
      color: #4b5563;
    }
    td.actions {
      white-space: nowrap;
      text-align: right;
    }
    .health b {
      font-weight: 600;
    }
    .health small {
      display: block;
      color: #4b5563;
      max-width: 260px;
    }
    .health.ok b {
      color: #166534;
    }
    .health.bad b {
      color: #991b1b;
    }
    tr.confirm td {
      background: #fef2f2;
    }
    tr.confirm button {
      margin-left: 8px;
    }
    /* No width of its own, so its long line never squeezes the sites' columns. */
    .confirm-text {
      width: 0;
      min-width: 100%;
    }
  `,
];
