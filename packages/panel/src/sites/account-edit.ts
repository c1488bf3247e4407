import { css, html, nothing, type CSSResultGroup, type TemplateResult } from 'lit';
import type { Account, AccountDetail } from '@glint/api/replies';
import { FieldForm, text } from '../forms/field-form';
import { formStyles } from '../forms/form-styles';
import { failureText } from '../view-failure';
import { given } from './add-site-method';
import { ec2CodeFields } from './ec2-account-fields';
import { cancelButton } from './site-edit/site-edit';

/**
 * Changes an EC2 account (PATCH /accounts/:id): its name, the regions enabled, from every region AWS
 * lists for it (GET /accounts/:id asks AWS live), and new keys. Only what changed is sent. A region
 * unticked is removed with its site's inventory and desired state. Fires `account-changed` with the
 * account, or `edit-cancelled`.
 */
export class GlintAccountEdit extends FieldForm {
  static override properties = {
    ...FieldForm.properties,
    account: { attribute: false },
    accessKeyId: { attribute: false },
    detail: { state: true },
  };

  /** The account as a site names it; its regions are asked for when the form opens. */
  declare account: { id: string; name: string };
  /** The stored keys' id, as a site shows it. */
  declare accessKeyId: string;
  declare detail: AccountDetail | null;
  protected readonly submitLabel = 'Save';
  protected readonly fields = ['name', 'regions', 'accessKeyId', 'secretAccessKey', 'sessionToken'];
  protected readonly codeFields = ec2CodeFields;

  constructor() {
    super();
    this.detail = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.detail = await this.client.get<AccountDetail>(`/accounts/${this.account.id}`);
    } catch (error) {
      const message = failureText(this, error);
      if (message !== null)
        this.errors = { regions: `AWS did not list the regions: ${message}. New keys fix that.` };
    }
  }

  protected async send(form: FormData): Promise<unknown> {
    const change: Record<string, unknown> = {};
    const name = text(form, 'name');
    if (name !== this.account.name) change.name = name;
    if (this.detail) {
      const regions = form.getAll('regions').map(String);
      const enabled = this.detail.regions.map((r) => r.region);
      if (regions.length !== enabled.length || regions.some((r) => !enabled.includes(r)))
        change.regions = regions;
    }
    const secretAccessKey = String(form.get('secretAccessKey') ?? '');
    if (secretAccessKey)
      change.credential = {
        kind: 'ec2_keys',
        accessKeyId: text(form, 'accessKeyId'),
        secretAccessKey,
        ...given({ sessionToken: String(form.get('sessionToken') ?? '') }),
      };
    if (Object.keys(change).length === 0) return null;
    return this.client.patch<Account>(`/accounts/${this.account.id}`, change);
  }

  /** `reply` is the account, or null when nothing was changed. */
  protected done(reply: unknown): void {
    this.dispatchEvent(
      new CustomEvent<Account | null>('account-changed', {
        bubbles: true,
        composed: true,
        detail: reply as Account | null,
      }),
    );
  }

  private renderRegions(): TemplateResult {
    return this.field('regions', 'Regions', (invalid) =>
      this.detail
        ? html`<div
            id="regions"
            class="choices"
            role="group"
            aria-label="Regions"
            aria-invalid=${invalid}
            aria-describedby="regions-error"
          >
            ${this.detail.availableRegions.map(
              ({ region, usable, enabled, optInStatus }) =>
                html`<label
                  class="choice ${usable ? '' : 'unusable'}"
                  title=${usable ? region : `${region}: ${optInStatus}`}
                  ><input
                    type="checkbox"
                    name="regions"
                    value=${region}
                    ?checked=${enabled}
                    ?disabled=${!usable && !enabled}
                  />
                  ${region}</label
                >`,
            )}
          </div>`
        : html`<p class="hint" id="regions">
            ${this.errors.regions ? nothing : 'Asking AWS which regions the account may use…'}
          </p>`,
    );
  }

  protected renderFields(): TemplateResult {
    return html`${this.input('name', 'Account name', 'text', { value: this.account.name })}
    ${this.renderRegions()}
    ${this.input('accessKeyId', 'Access key ID', 'text', { value: this.accessKeyId })}
    ${this.input('secretAccessKey', 'New secret access key', 'password', {
      hint: 'Leave empty to keep the stored keys; new ones are checked with AWS first',
      autocomplete: 'new-password',
    })}
    ${this.input('sessionToken', 'Session token', 'password', {
      hint: 'Only for temporary keys',
      autocomplete: 'new-password',
    })}`;
  }

  protected override renderExtraActions() {
    return cancelButton(this);
  }

  static override styles: CSSResultGroup = [
    formStyles,
    css`
      .unusable {
        color: #9ca3af;
      }
    `,
  ];
}
