import { css } from 'lit';
import { buttonStyles } from '../view-styles';

/** The look of the panel's forms: a label above each field, its error right below it. */
export const formStyles = [
  buttonStyles,
  css`
    form {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: 10px;
      max-width: 520px;
    }
    .field {
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    label {
      color: #374151;
      font-weight: 500;
    }
    input,
    select,
    textarea {
      padding: 6px 8px;
      font: inherit;
      border: 1px solid #9ca3af;
      border-radius: 4px;
    }
    input[type='file'] {
      padding: 4px 0;
      border: none;
    }
    textarea {
      min-height: 120px;
      font-family: ui-monospace, monospace;
      font-size: 13px;
    }
    [aria-invalid='true'] {
      border-color: #b91c1c;
      outline-color: #b91c1c;
    }
    .choices {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 14px;
    }
    .hint {
      color: #6b7280;
      font-size: 12px;
    }
    .field-error,
    .form-error {
      margin: 0;
      color: #7f1d1d;
    }
    .field-error::before {
      content: '⚠ ';
    }
    .form-error {
      background: #fee2e2;
      padding: 6px 10px;
      border-radius: 4px;
    }
    .actions {
      display: flex;
      gap: 8px;
    }
  `,
];
