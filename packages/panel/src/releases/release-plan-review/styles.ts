import { css } from 'lit';
import { buttonStyles } from '../../view-styles';

/** The plan: a bordered box, sites that get bytes marked, what it withholds muted, a refusal in red. */
export const releasePlanReviewStyles = [
  buttonStyles,
  css`
    :host {
      display: block;
      border: 1px solid #d1d5db;
      border-radius: 6px;
      padding: 10px 14px;
      background: #fff;
    }
    h3 {
      margin: 0 0 6px;
      font-size: 15px;
    }
    p {
      margin: 4px 0;
    }
    ul {
      margin: 4px 0 8px;
      padding-left: 20px;
    }
    .copies {
      color: #92400e;
    }
    .refusal {
      color: #7f1d1d;
    }
    .unchanged,
    .withheld {
      color: #4b5563;
    }
    .actions {
      display: flex;
      gap: 8px;
    }
  `,
];
