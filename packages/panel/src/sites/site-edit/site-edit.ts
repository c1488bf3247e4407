import { html, nothing, type TemplateResult } from 'lit';
import type { CredentialKindInfo, SelfHeal, Site, SiteTypeInfo } from '@glint/api/replies';
import { siteCodeFields } from '../site-code-fields';
import { FieldForm, text } from '../../forms/field-form';
import { formStyles } from '../../forms/form-styles';
import { LabelsEditor, sameLabels } from '../labels-editor/labels-editor';
import { labelsEditorStyles } from '../labels-editor/styles';

const selfHealChoices: { value: SelfHeal; label: string }[] = [
  { value: 'off', label: 'Off: only show drift' },
  { value: 'restore', label: 'Restore wanted images' },
  { value: 'restore-and-prune', label: 'Restore, and delete unwanted images' },
];

/**
 * Changes a site's name, self-heal policy, labels or credential (PATCH /sites/:id): only what was
 * changed is sent (labels as the whole new map), and a new credential only when a new secret was
 * typed. Fires `site-changed` with the site,
 * or `edit-cancelled`. The credential's fields are its kind's, as GET /site-types describes them.
 */
export class GlintSiteEdit extends FieldForm {
  static override properties = {
    ...FieldForm.properties,
    site: { attribute: false },
    kind: { state: true },
  };

  declare site: Site;
  /** The site's credential kind; until it is known, only the name and self-heal are shown. */
  declare kind: CredentialKindInfo | undefined;
  protected readonly submitLabel = 'Save';
  private readonly labels = new LabelsEditor(this);

  static override styles = [formStyles, labelsEditorStyles];

  override connectedCallback(): void {
    super.connectedCallback();
    this.labels.reset(this.site.labels);
    void this.loadKind();
  }

  private async loadKind() {
    const { siteTypes } = await this.client.get<{ siteTypes: SiteTypeInfo[] }>('/site-types');
    const kinds = siteTypes.find((type) => type.type === this.site.type)?.credentialKinds ?? [];
    this.kind = kinds.find((kind) => kind.kind === this.site.credential?.kind) ?? kinds[0];
  }

  private get secretField() {
    return this.kind?.secretFields[0] ?? '';
  }

  protected get fields() {
    return [
      'name',
      'selfHeal',
      'labels',
      ...(this.kind ? [this.kind.loginField, this.secretField] : []),
    ];
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
    const labels = this.labels.read(form);
    if (!sameLabels(labels, this.site.labels)) change.labels = labels;
    const secret = String(form.get(this.secretField) ?? '');
    if (this.kind && secret) {
      const { kind, loginField } = this.kind;
      change.credential = {
        kind,
        [loginField]: text(form, loginField),
        [this.secretField]: secret,
      };
    }
    if (Object.keys(change).length === 0) return this.site;
    return this.client.patch<Site>(`/sites/${this.site.id}`, change);
  }

  protected done(reply: unknown): void {
    announceSiteChanged(this, reply as Site);
  }

  protected renderFields(): TemplateResult {
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
    ${this.labels.render(this.errors.labels)}
    ${this.kind ? this.credentialFields(this.kind) : nothing}`;
  }

  private credentialFields({ loginField, loginLabel, secretLabel }: CredentialKindInfo) {
    const login = (this.site.credential as Record<string, unknown> | null)?.[loginField];
    return html`${this.input(loginField, loginLabel, 'text', {
      value: typeof login === 'string' ? login : '',
    })}
    ${this.input(this.secretField, `New ${secretLabel}`, 'password', {
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

/** Tells the sites view that a form saved `site`, so it replaces its row. */
export function announceSiteChanged(form: HTMLElement, site: Site): void {
  form.dispatchEvent(
    new CustomEvent<Site>('site-changed', { bubbles: true, composed: true, detail: site }),
  );
}
