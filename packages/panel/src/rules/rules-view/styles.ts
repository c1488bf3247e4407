import { css } from 'lit';
import { viewStyles } from '../../view-styles';
import { rulePlanStyles } from '../rule-plan/rule-plan';

/** The rules table, the new rule's form above it, removals confirmed in red. */
export const rulesViewStyles = [
  viewStyles,
  rulePlanStyles,
  css`
    h2 {
      margin-right: auto;
    }
    .intro {
      margin: 0;
      color: #374151;
      max-width: 70ch;
    }
    .new {
      padding: 12px 16px;
      border: 1px solid #d1d5db;
      border-radius: 6px;
      background: #fff;
    }
    tbody th {
      font-weight: 600;
      white-space: nowrap;
    }
    small.description {
      display: block;
      font-weight: 400;
      color: #4b5563;
      white-space: normal;
    }
    td.actions {
      white-space: nowrap;
      text-align: right;
    }
    tr.confirm td {
      background: #fef2f2;
    }
    .confirm-text p {
      margin: 0 0 6px;
    }
    .confirm-text .rule-plan {
      margin-bottom: 8px;
    }
    tr.confirm button {
      margin-right: 8px;
    }
  `,
];
