import { LitElement, html, nothing } from 'lit';
import { formatBytes } from '@glint/core/client';
import type { ReleasePlan, ReleasePlanAction } from '@glint/api/replies';
import { releasePlanReviewStyles } from './styles';

export const actionTitles: Record<ReleasePlanAction, string> = {
  promote: 'Promote',
  halt: 'Halt the rollout',
  resume: 'Resume the rollout',
  rollback: 'Roll back',
  'next-wave': 'Start the next wave',
};

const words = (changes: { text: string }[]) => changes.map((c) => c.text).join('; ');

/**
 * A release action's plan as the API works it out (`POST …/plan`), before it happens: what changes
 * on which site, the sites it copies to marked, what it withholds, the ones it leaves as they are
 * counted. Confirm fires `confirm`, Back `cancel`; an action the API refuses says why and cannot
 * be confirmed.
 */
export class GlintReleasePlanReview extends LitElement {
  static override properties = {
    action: {},
    plan: { attribute: false },
    refusal: {},
    busy: { type: Boolean },
  };

  declare action: ReleasePlanAction;
  /** Null while the API works it out. */
  declare plan: ReleasePlan | null;
  declare refusal: string | null;
  declare busy: boolean;

  constructor() {
    super();
    this.plan = null;
    this.refusal = null;
    this.busy = false;
  }

  private fire(name: 'confirm' | 'cancel') {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }

  override render() {
    const title = actionTitles[this.action];
    return html`<h3>Plan: ${title}</h3>
      ${
        this.refusal
          ? html`<p class="refusal" role="alert">Cannot ${title.toLowerCase()}: ${this.refusal}</p>`
          : this.plan
            ? this.renderPlan(this.plan)
            : html`<p class="summary" role="status">Working out the plan…</p>`
      }
      <div class="actions">
        <button
          class="confirm primary"
          ?disabled=${this.busy || this.refusal !== null || this.plan === null}
          @click=${() => this.fire('confirm')}
        >
          ${title}
        </button>
        <button class="cancel" ?disabled=${this.busy} @click=${() => this.fire('cancel')}>
          Back
        </button>
      </div>`;
  }

  private renderPlan(plan: ReleasePlan) {
    const changing = plan.sites.filter((s) => s.changes.length > 0 || s.withheld.length > 0);
    const unchanged = plan.sites.length - changing.length;
    return html`<p class="summary">${plan.summary}</p>
      ${
        changing.length > 0
          ? html`<ul class="changes">
              ${changing.map((site) => {
                const copies = site.changes.some((c) => c.kind === 'copy');
                return html`<li data-site=${site.siteName} class=${copies ? 'copies' : ''}>
                  <strong>${site.siteName}</strong>:
                  ${site.changes.length > 0 ? words(site.changes) : 'nothing now'}${
                    site.withheld.length > 0
                      ? html`<span class="withheld">; withheld: ${words(site.withheld)}</span>`
                      : nothing
                  }
                </li>`;
              })}
            </ul>`
          : nothing
      }
      ${plan.steps.map((step) => html`<p class="step">${step.text}.</p>`)}
      ${unchanged > 0 ? html`<p class="unchanged">${unchanged} site(s) stay as they are.</p>` : nothing}
      ${plan.bytes > 0 ? html`<p class="bytes">${formatBytes(plan.bytes, 'page')} to copy.</p>` : nothing}`;
  }

  static override styles = releasePlanReviewStyles;
}
