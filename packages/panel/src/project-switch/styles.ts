import { css } from 'lit';

/** The switch, on a line of the header beside the user's name. */
export const projectSwitchStyles = css`
  label {
    display: inline-flex;
    gap: 6px;
    align-items: center;
  }
  .error {
    color: #b91c1c;
  }
`;
