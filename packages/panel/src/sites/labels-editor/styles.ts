import { css } from 'lit';

/** The labels' rows in a form: key = value and Remove on a line, Add label below. */
export const labelsEditorStyles = css`
  fieldset.labels {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 6px;
    margin: 0;
    padding: 8px 10px 10px;
    border: 1px solid #d1d5db;
    border-radius: 4px;
  }
  fieldset.labels legend {
    padding: 0 4px;
    color: #374151;
    font-weight: 500;
  }
  .label-row {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .label-row input {
    width: 170px;
  }
  button.remove-label {
    padding: 2px 8px;
  }
`;
