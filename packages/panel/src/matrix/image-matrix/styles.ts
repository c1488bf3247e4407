import { css } from 'lit';
import { cellStyles } from '../cell-styles';

/** The matrix frame: toolbar, sticky header and name column, rows placed by index, details. */
export const matrixStyles = [
  cellStyles,
  css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 10px;
      font:
        13px system-ui,
        sans-serif;
      color: #111827;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 12px;
    }
    .label-filter {
      width: 140px;
      padding: 4px 6px;
    }
    .label-filter[aria-invalid='true'] {
      border-color: #b91c1c;
      outline-color: #b91c1c;
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
    /* The column groups' band above the header, and the line between groups in the rows. */
    .groups {
      position: sticky;
      top: 0;
      z-index: 3;
      min-width: 100%;
      height: var(--groups-height);
      background: #eef2ff;
      border-bottom: 1px solid #c7d2fe;
    }
    .groups .group {
      position: absolute;
      top: 0;
      box-sizing: border-box;
      height: 100%;
      padding: 0 8px;
      border-left: 2px solid #4f46e5;
      line-height: var(--groups-height);
      font-size: 12px;
      font-weight: 600;
      color: #312e81;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .groups .group.unlabelled {
      color: #4b5563;
      font-weight: 400;
      font-style: italic;
    }
    .groups .group-key {
      align-items: center;
      padding: 0 10px;
      box-sizing: border-box;
      font-size: 12px;
      color: #4b5563;
      background: #eef2ff;
    }
    .row .cell.group-start {
      --group-edge: -5px 0 0 -3px #4f46e5;
    }
    .filter {
      width: 240px;
      padding: 5px 8px;
    }
    .count {
      color: #4b5563;
    }
    .read-only {
      padding: 1px 8px;
      border-radius: 10px;
      background: #f3f4f6;
      color: #374151;
      font-size: 12px;
    }
    .error {
      color: #7f1d1d;
      background: #fee2e2;
      padding: 6px 10px;
      border-radius: 4px;
    }
    .toolbar label {
      display: flex;
      align-items: center;
      gap: 4px;
      color: #374151;
    }
    .scroller {
      position: relative;
      overflow: auto;
      height: var(--matrix-height, 480px);
      border: 1px solid #d1d5db;
      border-radius: 6px;
      background: #fff;
    }
    .head {
      min-width: 100%;
      position: sticky;
      top: var(--groups-height, 0px);
      z-index: 2;
      display: flex;
      height: var(--row-height);
      background: #f9fafb;
      border-bottom: 1px solid #d1d5db;
    }
    .head button {
      all: unset;
      box-sizing: border-box;
      width: 100%;
      height: 100%;
      cursor: pointer;
      display: flex;
      flex-direction: column;
      justify-content: center;
      font-weight: 600;
      overflow: hidden;
    }
    /* The order's arrow; aria-sort says the same to screen readers. */
    [aria-sort='ascending'] button::after {
      content: '\\a0▲' / '';
    }
    [aria-sort='descending'] button::after {
      content: '\\a0▼' / '';
    }
    .head button:hover {
      background: #eef2ff;
    }
    .head button:focus-visible,
    .toggle-row:focus-visible,
    .size:focus-visible {
      outline: 3px solid #111827;
      outline-offset: -3px;
    }
    .head .column {
      box-sizing: border-box;
      width: var(--column-width);
      flex: none;
    }
    .head .column button {
      padding: 0 8px;
    }
    .head .column span,
    .head .column small {
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .head .column small {
      font-weight: 400;
      color: #6b7280;
    }
    /* The image's name and size, kept in view when scrolling sideways. */
    .lead {
      position: sticky;
      left: 0;
      z-index: 1;
      flex: none;
      display: flex;
      height: 100%;
      width: calc(var(--name-width) + var(--size-width));
      background: inherit;
      border-right: 1px solid #e5e7eb;
    }
    .lead .name,
    .lead .row-head {
      box-sizing: border-box;
      width: var(--name-width);
      flex: none;
    }
    .lead .size {
      box-sizing: border-box;
      width: var(--size-width);
      flex: none;
      padding: 0 8px;
      display: flex;
      align-items: center;
      justify-content: flex-end;
      color: #4b5563;
      font-variant-numeric: tabular-nums;
    }
    .head .lead button {
      flex-direction: row;
      align-items: center;
      justify-content: flex-start;
    }
    .head .lead .name button {
      padding: 0 10px;
    }
    .head .lead .size {
      padding: 0;
    }
    .head .lead .size button {
      justify-content: flex-end;
      padding: 0 8px;
    }
    .body {
      position: relative;
      min-width: 100%;
    }
    .row {
      position: absolute;
      top: 0;
      left: 0;
      width: var(--width);
      height: var(--row-height);
      background: #fff;
      border-bottom: 1px solid #f3f4f6;
      box-sizing: border-box;
      /* Each row is laid out and painted on its own: a row entering leaves the others alone. */
      contain: strict;
    }
    .toggle-row {
      all: unset;
      box-sizing: border-box;
      width: 100%;
      height: 100%;
      padding: 0 10px;
      line-height: var(--row-height);
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
      cursor: pointer;
    }
    .toggle-row:hover {
      background: #eef2ff;
    }
    .row .cell {
      position: absolute;
      top: 4px;
      width: calc(var(--column-width) - 6px);
      height: calc(var(--row-height) - 8px);
      cursor: pointer;
    }
    .cell.changed {
      outline: 2px dashed #1d4ed8;
      outline-offset: 1px;
    }
    .cell:focus-visible {
      outline: 3px solid #111827;
      outline-offset: 1px;
    }
    /* A release family's row: its versions' rows follow it, indented, when it is expanded. */
    .row.family {
      background: #f5f3ff;
      font-weight: 600;
    }
    .row.version .toggle-row {
      padding-left: 28px;
    }
    .row.family .size {
      font-size: 11px;
      font-weight: 400;
      white-space: nowrap;
    }
    .row .family-cell {
      cursor: default;
      font-weight: 500;
      background-color: #ede9fe;
      border-color: #c4b5fd;
      color: #4c1d95;
    }
    .family-cell::before {
      content: '★' / '';
    }
    .family-cell[data-rollout='rolling-out'] {
      background-color: #fef3c7;
      border-color: #fcd34d;
      color: #92400e;
    }
    .family-cell[data-rollout='rolling-out']::before {
      content: '↻' / '';
    }
    .family-cell[data-rollout='halted'] {
      background-color: #fee2e2;
      border-color: #fca5a5;
      color: #991b1b;
    }
    .family-cell[data-rollout='halted']::before {
      content: '⏸' / '';
    }
    .family-cell[data-rollout='outside'] {
      background-color: #f9fafb;
      border-color: #e5e7eb;
      color: #4b5563;
    }
    .family-cell[data-rollout='outside']::before {
      content: '' / '';
    }
    .detail {
      min-height: 1.5em;
      display: flex;
      align-items: center;
      gap: 6px;
      flex-wrap: wrap;
    }
  `,
];
