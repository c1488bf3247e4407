import { css } from 'lit';
import { formStyles } from '../../forms/form-styles';
import { rulePlanStyles } from '../rule-plan/rule-plan';

/** The rule's fields on the left, what it implies now beside them. */
export const ruleFormStyles = [
  formStyles,
  rulePlanStyles,
  css`
    :host {
      display: block;
    }
    .rule-form {
      display: grid;
      grid-template-columns: minmax(0, 520px) minmax(220px, 1fr);
      gap: 20px;
      align-items: start;
    }
    fieldset.selector {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin: 0;
      padding: 8px 12px 12px;
      border: 1px solid #d1d5db;
      border-radius: 4px;
    }
    legend {
      padding: 0 4px;
      font-weight: 600;
      color: #374151;
    }
    .sub-field {
      display: flex;
      flex-direction: column;
      gap: 3px;
    }
    .group-label {
      color: #374151;
      font-weight: 500;
    }
    .choices label {
      display: flex;
      align-items: center;
      gap: 4px;
      font-weight: 400;
    }
    .prune label {
      display: flex;
      align-items: baseline;
      gap: 6px;
    }
    .rule-name {
      margin: 0;
    }
    .preview {
      position: sticky;
      top: 8px;
      padding: 10px 12px;
      border: 1px solid #d1d5db;
      border-radius: 6px;
      background: #f9fafb;
    }
    .preview h4 {
      margin: 0 0 6px;
      font-size: 14px;
    }
    .preview .hint {
      margin: 0;
    }
  `,
];
