import { css } from 'lit';

/** Buttons as every view and form draws them. */
export const buttonStyles = css`
  button {
    padding: 5px 12px;
    font: inherit;
    border: 1px solid #9ca3af;
    border-radius: 4px;
    background: #fff;
    cursor: pointer;
  }
  button.primary {
    background: #1d4ed8;
    border-color: #1d4ed8;
    color: #fff;
  }
  button.danger {
    background: #b91c1c;
    border-color: #b91c1c;
    color: #fff;
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
`;

/** Tables of the views: the sites, the jobs, an image's copies. */
export const tableStyles = css`
  table {
    border-collapse: collapse;
    width: 100%;
    background: #fff;
    border: 1px solid #d1d5db;
  }
  th,
  td {
    text-align: left;
    padding: 7px 10px;
    border-bottom: 1px solid #e5e7eb;
    vertical-align: top;
  }
  thead th {
    background: #f9fafb;
    font-weight: 600;
  }
  .nowrap {
    white-space: nowrap;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
  }
`;

/** A view's frame: a toolbar over its content, its error and notices. */
export const viewStyles = [
  buttonStyles,
  tableStyles,
  css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 12px;
    }
    .toolbar {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 8px 12px;
    }
    h2 {
      margin: 0;
      font-size: 16px;
    }
    .error,
    .notice {
      margin: 0;
      padding: 6px 10px;
      border-radius: 4px;
    }
    .error {
      color: #7f1d1d;
      background: #fee2e2;
    }
    .notice {
      color: #1e3a8a;
      background: #eff6ff;
    }
    .empty {
      color: #6b7280;
    }
  `,
];
