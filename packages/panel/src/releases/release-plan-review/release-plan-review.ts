import { LitElement, html } from 'lit';
import type { ReleasePlan } from '../release-plan';
import { releasePlanReviewStyles } from './styles';

const titles = {
  promote: 'Promote',
  halt: 'Halt the rollout',
  resume: 'Resume the rollout',
  rollback: 'Roll back',
  'next-wave': 'Start the next wave',
};

/**
 * A release action's plan before it happens: what changes on which site, the sites it copies to
 * marked, the ones it leaves as they are counted. Confirm fires `confirm`, Back `cancel`; a plan
 * the API would refuse says why and cannot be confirmed.
 */
export class GlintReleasePlanReview extends LitElement {
  static override properties = {
    plan: { attribute: false },
    busy: { type: Boolean },
  };

  declare plan: ReleasePlan;
  declare busy: boolean;

  constructor() {
    super();
    this.busy = false;
  }

  private fire(name: 'confirm' | 'cancel') {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }

  override render() {
    const { action, summary, refusal, changes } = this.plan;
    const changing = changes.filter((c) => !c.unchanged);
    const unchanged = changes.length - changing.length;
    return html`<h3>Plan: ${titles[action]}</h3>
      ${
        refusal
          ? html`<p class="refusal" role="alert">
              Cannot ${titles[action].toLowerCase()}: ${refusal}
            </p>`
          : html`<p class="summary">${summary}</p>`
      }
      ${
        changing.length > 0
          ? html`<ul class="changes">
              ${changing.map(
                (c) =>
                  html`<li data-site=${c.siteName} class=${c.copies ? 'copies' : ''}>
                    <strong>${c.siteName}</strong>: ${c.change}${c.copies ? ' (bytes copied)' : ''}
                  </li>`,
              )}
            </ul>`
          : ''
      }
      ${unchanged > 0 ? html`<p class="unchanged">${unchanged} site(s) stay as they are.</p>` : ''}
      <div class="actions">
        <button
          class="confirm primary"
          ?disabled=${this.busy || refusal !== null}
          @click=${() => this.fire('confirm')}
        >
          ${titles[action]}
        </button>
        <button class="cancel" ?disabled=${this.busy} @click=${() => this.fire('cancel')}>
          Back
        </button>
      </div>`;
  }

  static override styles = releasePlanReviewStyles;
}
