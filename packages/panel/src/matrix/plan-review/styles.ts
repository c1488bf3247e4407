import { css } from 'lit';

/** The plan: a bordered box of lists, refusals in red. */
export const planReviewStyles = css`
  :host {
    display: block;
    border: 1px solid #d1d5db;
    border-radius: 6px;
    padding: 12px 16px;
    background: #fff;
  }
  h3 {
    margin: 0 0 8px;
    font-size: 15px;
  }
  ul {
    margin: 4px 0 8px;
    padding-left: 20px;
  }
  .refusal {
    color: #7f1d1d;
  }
  .actions {
    display: flex;
    gap: 8px;
  }
`;
