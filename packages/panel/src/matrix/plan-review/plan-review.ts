import { LitElement, html } from 'lit';
import type { Plan } from '@glint/api/replies';
import { formatBytes } from '@glint/core/client';
import { planReviewStyles } from './styles';

/**
 * The plan of the clicked changes, from POST /plan, before anything happens: copies (from where,
 * how many bytes), deletes, and refusals with their reasons. Its Apply button fires `apply`.
 */
export class GlintPlanReview extends LitElement {
  static override styles = planReviewStyles;

  static override properties = {
    plan: { attribute: false },
    busy: { type: Boolean },
  };

  declare plan: Plan;
  declare busy: boolean;

  constructor() {
    super();
    this.busy = false;
  }

  /** The plan names what it mentions: no lookup among rows that may be loading meanwhile. */
  private imageName(id: string): string {
    return this.plan.names.images[id] ?? id;
  }

  private siteName(id: string): string {
    return this.plan.names.sites[id] ?? id;
  }

  private fire(name: 'apply' | 'cancel') {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }

  override render() {
    const { copies, deletes, refusals, unchanged, givenBack, bytes } = this.plan;
    return html`<h3>Plan</h3>
      ${
        copies.length > 0
          ? html`<div>Copies (${formatBytes(bytes, 'page')} to read):</div>
              <ul class="copies">
                ${copies.map(
                  (copy) =>
                    html`<li>
                      ${this.imageName(copy.imageId)} from ${this.siteName(copy.source.siteId)} to
                      ${copy.destinations.map((id) => this.siteName(id)).join(', ')}
                      (${copy.bytes === null ? 'size unknown' : formatBytes(copy.bytes, 'page')})
                    </li>`,
                )}
              </ul>`
          : ''
      }
      ${
        deletes.length > 0
          ? html`<div>Deletes:</div>
              <ul class="deletes">
                ${deletes.map(
                  (d) =>
                    html`<li>${this.imageName(d.imageId)} from ${this.siteName(d.siteId)}</li>`,
                )}
              </ul>`
          : ''
      }
      ${
        refusals.length > 0
          ? html`<div>Refused:</div>
              <ul class="refusals">
                ${refusals.map(
                  (r) =>
                    html`<li class="refusal">
                      ${this.imageName(r.imageId)} on ${this.siteName(r.siteId)}: ${r.message}
                      (${r.reason})
                    </li>`,
                )}
              </ul>`
          : ''
      }
      ${unchanged > 0 ? html`<div>${unchanged} already so or under way.</div>` : ''}
      ${
        givenBack > 0
          ? html`<div class="given-back">
              ${givenBack} ${givenBack === 1 ? 'cell' : 'cells'} given back to the rules.
            </div>`
          : ''
      }
      <div class="actions">
        <button class="apply" ?disabled=${this.busy} @click=${() => this.fire('apply')}>
          Apply
        </button>
        <button class="cancel" ?disabled=${this.busy} @click=${() => this.fire('cancel')}>
          Back
        </button>
      </div>`;
  }
}
