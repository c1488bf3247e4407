import { LitElement, css, html, type TemplateResult } from 'lit';
import type { ApiClient } from '../api-client';

/**
 * The ways to add a site, each its own form element. Another site type or way adds an entry here
 * (and defines its element in index.ts).
 */
export const addSiteMethods: {
  id: string;
  label: string;
  form: (client: ApiClient) => TemplateResult;
}[] = [
  {
    id: 'openrc',
    label: 'openrc file',
    form: (client) => html`<glint-openrc-form .client=${client}></glint-openrc-form>`,
  },
  {
    id: 'clouds-yaml',
    label: 'clouds.yaml entry',
    form: (client) => html`<glint-clouds-yaml-form .client=${client}></glint-clouds-yaml-form>`,
  },
  {
    id: 'app-credential',
    label: 'Application credential',
    form: (client) =>
      html`<glint-app-credential-form .client=${client}></glint-app-credential-form>`,
  },
  {
    id: 'ec2',
    label: 'EC2 account',
    form: (client) => html`<glint-ec2-account-form .client=${client}></glint-ec2-account-form>`,
  },
];

/**
 * Add a site: pick a way, fill in its form. The form's `site-added` (or an EC2 account form's
 * `account-added`) bubbles through.
 */
export class GlintAddSite extends LitElement {
  static override properties = {
    client: { attribute: false },
    method: { state: true },
  };

  declare client: ApiClient;
  declare method: string;

  constructor() {
    super();
    this.method = addSiteMethods[0]!.id;
  }

  override render() {
    const chosen = addSiteMethods.find(({ id }) => id === this.method) ?? addSiteMethods[0]!;
    return html`<h3>Add a site</h3>
      <fieldset>
        <legend>From</legend>
        ${addSiteMethods.map(
          ({ id, label }) =>
            html`<label
              ><input
                type="radio"
                name="method"
                value=${id}
                .checked=${id === chosen.id}
                @change=${() => (this.method = id)}
              />
              ${label}</label
            >`,
        )}
      </fieldset>
      ${chosen.form(this.client)}`;
  }

  static override styles = css`
    :host {
      display: block;
      padding: 12px 16px;
      border: 1px solid #d1d5db;
      border-radius: 6px;
      background: #fff;
    }
    h3 {
      margin: 0 0 8px;
      font-size: 15px;
    }
    fieldset {
      display: flex;
      gap: 16px;
      margin: 0 0 12px;
      padding: 0;
      border: none;
    }
    legend {
      float: left;
      margin-right: 8px;
      color: #374151;
      font-weight: 500;
    }
    fieldset label {
      display: flex;
      align-items: center;
      gap: 4px;
      cursor: pointer;
    }
  `;
}
