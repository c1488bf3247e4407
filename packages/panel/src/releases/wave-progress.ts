import { css, html } from 'lit';
import type { FamilyDetails, ReleaseVersion } from '@glint/api/replies';

/** Where a wave's site counts as done: the version is there and verified, or switched already. */
const done = new Set(['present', 'stable']);

/**
 * The rollout's waves for `version`: each wave's sites done out of its sites as a bar, the wave the
 * rollout is at marked, and the halt's reason when halted.
 */
export function waveProgress(details: FamilyDetails, version: ReleaseVersion) {
  return html`<ol class="waves" aria-label="Waves of ${version.version}">
    ${details.waves.map((siteIds, wave) => {
      const sites = version.sites.filter((s) => siteIds.includes(s.siteId));
      const finished = sites.filter((s) => done.has(s.state)).length;
      const failed = sites.filter((s) => s.state === 'failed').length;
      const at =
        wave < version.wave ? 'past' : wave === version.wave ? 'current' : ('waiting' as const);
      return html`<li class="wave" data-wave=${wave} data-at=${at}>
        <span class="wave-name">Wave ${wave + 1}</span>
        <progress
          max=${Math.max(sites.length, 1)}
          value=${finished}
          aria-label="Wave ${wave + 1}: ${finished} of ${sites.length} sites done"
        ></progress>
        <span class="count"
          >${finished}/${sites.length}${failed > 0 ? `, ${failed} failed` : ''}</span
        >
        ${
          at === 'current' && version.haltedReason !== null
            ? html`<span class="halted">halted: ${version.haltedReason}</span>`
            : ''
        }
      </li>`;
    })}
  </ol>`;
}

export const waveProgressStyles = css`
  .waves {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 18px;
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 12px;
  }
  .wave {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .wave[data-at='current'] .wave-name {
    font-weight: 700;
  }
  .wave[data-at='waiting'] {
    color: #4b5563;
  }
  progress {
    width: 80px;
  }
  .halted {
    color: #7f1d1d;
    background: #fee2e2;
    padding: 1px 6px;
    border-radius: 4px;
  }
`;
