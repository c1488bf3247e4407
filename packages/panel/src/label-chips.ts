import { css, html, nothing } from 'lit';

/** A site's labels as small chips, `key=value` each, sorted by key; nothing for none. */
export function labelChips(labels: Record<string, string>) {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return nothing;
  return html`<ul class="labels" aria-label="Labels">
    ${keys.map((key) => html`<li class="label">${key}=${labels[key]}</li>`)}
  </ul>`;
}

export const labelChipStyles = css`
  ul.labels {
    display: flex;
    flex-wrap: wrap;
    gap: 3px;
    margin: 3px 0 0;
    padding: 0;
    list-style: none;
  }
  li.label {
    padding: 0 6px;
    border-radius: 8px;
    background: #eef2ff;
    color: #312e81;
    font-size: 11px;
    font-weight: 400;
    white-space: nowrap;
  }
`;
