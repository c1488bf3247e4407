import { css } from 'lit';

/** The timeline: the followed version in blue, retired ones grey, the selected one ringed. */
export const releaseTimelineStyles = css`
  :host {
    display: block;
  }
  svg {
    width: 100%;
    max-width: 720px;
    height: auto;
    display: block;
    background: #fff;
    border: 1px solid #e5e7eb;
    border-radius: 4px;
  }
  .axis {
    font-size: 10px;
    color: #4b5563;
  }
  .version {
    cursor: pointer;
  }
  .stem {
    stroke: #9ca3af;
    stroke-dasharray: 2 2;
  }
  circle {
    fill: #fff;
    stroke: #374151;
    stroke-width: 2;
  }
  [data-kind='followed'] circle {
    fill: #1d4ed8;
    stroke: #1d4ed8;
  }
  [data-kind='retired'] circle {
    fill: #e5e7eb;
    stroke: #9ca3af;
  }
  .selected circle {
    stroke: #f59e0b;
    stroke-width: 4;
  }
  .name {
    font-size: 12px;
    font-weight: 600;
    fill: #111827;
  }
  .channels {
    font-size: 10px;
    fill: #1e3a8a;
  }
`;
