import { css, html } from 'lit';
import type { ReleaseVersion, SiteStage } from '@glint/api/replies';

/** Words for a site's stage, where the stage's name alone says too little. */
const stageText: Partial<Record<SiteStage, string>> = {
  present: 'present, waiting to switch',
  stable: 'holds the stable name',
  hidden: 'hidden, renamed',
  retiring: 'retiring: the site refused the delete',
};

/** A version's sites in wave order, each a chip coloured by its stage, its error as a tooltip. */
export function siteStrip(version: ReleaseVersion) {
  const sites = [...version.sites].sort((a, b) => a.wave - b.wave);
  return html`<ul class="strip" aria-label="Sites of ${version.version}">
    ${sites.map(
      (site) =>
        html`<li
          class="site"
          data-site=${site.siteName}
          data-state=${site.state}
          title=${site.error ?? stageText[site.state] ?? site.state}
        >
          <span class="site-name">${site.siteName}</span>
          <span class="state">${site.state}</span>
        </li>`,
    )}
  </ul>`;
}

/** The chips' colours; each with its stage's word, so colour is never the only sign. */
export const siteStripStyles = css`
  .strip {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .site {
    display: flex;
    gap: 6px;
    padding: 2px 8px;
    border-radius: 10px;
    border: 1px solid #d1d5db;
    background: #f9fafb;
    font-size: 12px;
    color: #111827;
  }
  .state {
    color: #374151;
  }
  .site[data-state='stable'] {
    background: #dcfce7;
    border-color: #16a34a;
  }
  .site[data-state='present'] {
    background: #e0f2fe;
    border-color: #0284c7;
  }
  .site[data-state='copying'] {
    background: #fef9c3;
    border-color: #ca8a04;
  }
  .site[data-state='failed'] {
    background: #fee2e2;
    border-color: #dc2626;
  }
  .site[data-state='retiring'] {
    background: #ffedd5;
    border-color: #ea580c;
  }
  .site[data-state='hidden'],
  .site[data-state='deleted'] {
    background: #f3f4f6;
    border-style: dashed;
  }
`;
