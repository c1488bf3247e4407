import { css } from 'lit';

/** The login form, centred on the standalone page. */
export const loginStyles = css`
  form {
    display: flex;
    flex-direction: column;
    gap: 10px;
    width: 300px;
    margin: 60px auto;
    padding: 24px;
    background: #fff;
    border: 1px solid #d1d5db;
    border-radius: 8px;
    font:
      14px system-ui,
      sans-serif;
  }
  h1 {
    margin: 0 0 6px;
    font-size: 18px;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 4px;
    color: #374151;
  }
  input {
    padding: 6px 8px;
    font: inherit;
  }
  .error {
    margin: 0;
    color: #7f1d1d;
  }
`;
