import { LitElement, html, nothing, type CSSResultGroup, type TemplateResult } from 'lit';
import type { ApiClient } from '../api-client';
import { failureText } from '../view-failure';
import { fieldErrors, type CodeFields, type FieldErrors } from './field-errors';
import { formStyles } from './form-styles';

/**
 * What the panel's forms share: fields with their errors beside them, and a submit that turns
 * an error reply into those errors. A form names its fields, maps the API's error codes to them,
 * builds its request, and says what to do with the reply.
 */
export abstract class FieldForm extends LitElement {
  static override properties = {
    client: { attribute: false },
    errors: { state: true },
    busy: { state: true },
  };

  declare client: ApiClient;
  declare errors: FieldErrors;
  declare busy: boolean;

  /** The fields, by the names the API's errors use for them. */
  protected abstract readonly fields: readonly string[];
  protected abstract readonly codeFields: CodeFields;
  protected abstract readonly submitLabel: string;
  /** Sends the form's request; its reply goes to `done`. */
  protected abstract send(form: FormData): Promise<unknown>;
  protected abstract done(reply: unknown): void;
  protected abstract renderFields(): TemplateResult;

  constructor() {
    super();
    this.errors = {};
    this.busy = false;
  }

  private async submit(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    this.busy = true;
    this.errors = {};
    try {
      this.done(await this.send(new FormData(form)));
      form.reset();
    } catch (error) {
      if (failureText(this, error) === null) return;
      this.errors = fieldErrors(error, this.fields, this.codeFields);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    } finally {
      this.busy = false;
    }
  }

  /** A field's label, its control (made by `control` with the attributes that tie the error to it), and its error. */
  protected field(
    name: string,
    label: string,
    control: (invalid: 'true' | 'false') => TemplateResult,
    hint?: string,
  ): TemplateResult {
    const error = this.errors[name];
    return html`<div class="field" data-field=${name}>
      <label for=${name}>${label}</label>
      ${control(error ? 'true' : 'false')}
      ${hint ? html`<span class="hint">${hint}</span>` : nothing}
      ${error ? html`<p class="field-error" id="${name}-error" role="alert">${error}</p>` : nothing}
    </div>`;
  }

  /** A plain input field. */
  protected input(
    name: string,
    label: string,
    type = 'text',
    options: { hint?: string; value?: string; placeholder?: string; autocomplete?: string } = {},
  ): TemplateResult {
    return this.field(
      name,
      label,
      (invalid) =>
        html`<input
          id=${name}
          name=${name}
          type=${type}
          .value=${options.value ?? ''}
          placeholder=${options.placeholder ?? ''}
          autocomplete=${options.autocomplete ?? 'off'}
          aria-invalid=${invalid}
          aria-describedby="${name}-error"
        />`,
      options.hint,
    );
  }

  override render() {
    const error = this.errors[''];
    return html`<form novalidate @submit=${this.submit}>
      ${this.renderFields()} ${this.renderExtraFields()}
      ${error ? html`<p class="form-error" role="alert">${error}</p>` : nothing}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? 'Checking…' : this.submitLabel}
        </button>
        ${this.renderExtraActions()}
      </div>
    </form>`;
  }

  /** Fields a family of forms adds after each one's own. */
  protected renderExtraFields(): TemplateResult | typeof nothing {
    return nothing;
  }

  protected renderExtraActions(): TemplateResult | typeof nothing {
    return nothing;
  }

  static override styles: CSSResultGroup = formStyles;
}

/** The text of a chosen file, or '' when none was chosen. */
export async function fileText(form: FormData, name: string): Promise<string> {
  const file = form.get(name);
  return file instanceof File ? file.text() : '';
}

/** A form value with surrounding space removed. */
export const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
