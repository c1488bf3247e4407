import { html, type TemplateResult } from 'lit';
import type { SelfHeal, Site } from '@glint/api/replies';
import { siteCodeFields } from '../site-code-fields';
import { FieldForm, text } from '../../forms/field-form';

const selfHealChoices: { value: SelfHeal; label: string }[] = [
  { value: 'off', label: 'Off: only show drift' },
  { value: 'restore', label: 'Restore wanted images' },
  { value: 'restore-and-prune', label: 'Restore, and delete unwanted images' },
];

/**
 * Changes a site's name, self-heal policy or credential (PATCH /sites/:id): only what was changed is
 * sent, and a new credential only when a new secret was typed. Fires `site-changed` with the site,
 * or `edit-cancelled`.
 */
export class GlintSiteEdit extends FieldForm {
  static override properties = { ...FieldForm.properties, site: { attribute: false } };

  declare site: Site;
  protected readonly submitLabel = 'Save';

  private get secretField() {
    return this.site.credential?.kind === 'application_credential' ? 'secret' : 'password';
  }

  protected get fields() {
    return ['name', 'selfHeal', 'username', 'id', this.secretField];
  }

  protected get codeFields() {
    const secret = this.secretField;
    return {
      ...siteCodeFields,
      site_login_rejected: secret,
      site_permission_denied: secret,
      site_unreachable: secret,
    };
  }

  protected async send(form: FormData): Promise<unknown> {
    const change: Record<string, unknown> = {};
    const name = text(form, 'name');
    if (name !== this.site.name) change.name = name;
    const selfHeal = text(form, 'selfHeal');
    if (selfHeal !== this.site.selfHeal) change.selfHeal = selfHeal;
    const secret = String(form.get(this.secretField) ?? '');
    if (secret) {
      change.credential =
        this.secretField === 'secret'
          ? { kind: 'application_credential', id: text(form, 'id'), secret }
          : { kind: 'password', username: text(form, 'username'), password: secret };
    }
    if (Object.keys(change).length === 0) return this.site;
    return this.client.patch<Site>(`/sites/${this.site.id}`, change);
  }

  protected done(reply: unknown): void {
    this.dispatchEvent(
      new CustomEvent<Site>('site-changed', {
        bubbles: true,
        composed: true,
        detail: reply as Site,
      }),
    );
  }

  protected renderFields(): TemplateResult {
    const credential = this.site.credential;
    const appCredential = this.secretField === 'secret';
    return html`${this.input('name', 'Site name', 'text', { value: this.site.name })}
    ${this.field(
      'selfHeal',
      'Self-heal',
      (invalid) =>
        html`<select
          id="selfHeal"
          name="selfHeal"
          aria-invalid=${invalid}
          aria-describedby="selfHeal-error"
        >
          ${selfHealChoices.map(
            ({ value, label }) =>
              html`<option value=${value} ?selected=${value === this.site.selfHeal}>
                ${label}
              </option>`,
          )}
        </select>`,
    )}
    ${
      appCredential
        ? this.input('id', 'Application credential ID', 'text', { value: credential?.id ?? '' })
        : this.input('username', 'User name', 'text', { value: credential?.username ?? '' })
    }
    ${this.input(this.secretField, appCredential ? 'New secret' : 'New password', 'password', {
      hint: 'Leave empty to keep the stored one; a new one is checked by logging in',
      autocomplete: 'new-password',
    })}`;
  }

  protected override renderExtraActions() {
    return cancelButton(this);
  }
}

/** An edit form's Cancel: fires `edit-cancelled` from `form`. */
export function cancelButton(form: HTMLElement): TemplateResult {
  return html`<button
    type="button"
    @click=${() => form.dispatchEvent(new Event('edit-cancelled', { bubbles: true, composed: true }))}
  >
    Cancel
  </button>`;
}
