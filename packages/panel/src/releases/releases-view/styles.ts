import { css } from 'lit';
import { viewStyles } from '../../view-styles';
import { siteStripStyles } from '../site-strip';
import { waveProgressStyles } from '../wave-progress';

/** Families as bordered rows; a version's line holds its name, date, channels and actions. */
export const releasesViewStyles = [
  ...viewStyles,
  siteStripStyles,
  waveProgressStyles,
  css`
    .family {
      display: flex;
      flex-direction: column;
      gap: 8px;
      padding: 10px 14px;
      border: 1px solid #d1d5db;
      border-radius: 6px;
      background: #fff;
    }
    .family header {
      display: flex;
      align-items: baseline;
      flex-wrap: wrap;
      gap: 12px;
    }
    h3 {
      margin: 0;
      font-size: 15px;
    }
    .stable-name {
      color: #374151;
    }
    .controls {
      display: flex;
      gap: 6px;
      margin-left: auto;
    }
    .versions {
      display: flex;
      flex-direction: column;
      gap: 4px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .version {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 4px 10px;
    }
    .version .strip {
      flex-basis: 100%;
      margin: 2px 0 6px 12px;
    }
    .version[data-open='true'] .show {
      font-weight: 700;
      border-color: #1d4ed8;
    }
    .published {
      color: #4b5563;
    }
    .channels {
      color: #1e3a8a;
      background: #eff6ff;
      padding: 1px 6px;
      border-radius: 4px;
    }
    .retired {
      color: #4b5563;
      font-style: italic;
    }
  `,
];
