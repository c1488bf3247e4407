import { html, nothing, type ReactiveControllerHost } from 'lit';
import { ApiError, labelProblems } from '@glint/core/client';

export type Labels = Record<string, string>;

interface Row {
  key: string;
  value: string;
}

/**
 * A site's labels in a form, one key and value per row, with Add and Remove. It renders into its
 * host form, so its inputs are the form's own and FormData carries them (`label-key`,
 * `label-value`, in order). Mistakes show as they are typed, with the API's own rules.
 */
export class LabelsEditor {
  private rows: Row[];
  /** The refusal `read` threw last: shown live from the rows, never again as the form's error. */
  private refusedHere = '';

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    labels: Labels = {},
  ) {
    this.rows = rowsOf(labels);
  }

  /** The labels as loaded again (a form reset, a new site). */
  reset(labels: Labels = {}): void {
    this.rows = rowsOf(labels);
    this.host.requestUpdate();
  }

  private add() {
    this.rows = [...this.rows, { key: '', value: '' }];
    this.host.requestUpdate();
    void this.host.updateComplete.then(() =>
      this.host.shadowRoot
        ?.querySelector<HTMLInputElement>(`#label-key-${this.rows.length - 1}`)
        ?.focus(),
    );
  }

  private remove(index: number) {
    this.rows = this.rows.filter((_row, i) => i !== index);
    this.host.requestUpdate();
  }

  private edit(index: number, part: keyof Row, event: InputEvent) {
    this.rows[index]![part] = (event.target as HTMLInputElement).value;
    this.host.requestUpdate();
  }

  /** What is wrong with the rows as typed: the API's words, and a key given twice. */
  private problems(): string[] {
    const typed = this.rows.filter((row) => row.key.trim() !== '' || row.value.trim() !== '');
    const keys = typed.map((row) => row.key.trim());
    const twice = keys.filter((key, i) => keys.indexOf(key) !== i);
    return [
      ...labelProblems(Object.fromEntries(typed.map((row) => [row.key.trim(), row.value.trim()]))),
      ...[...new Set(twice)].map((key) => `label key "${key}" is given twice`),
    ];
  }

  /** The field: its rows, Add label, and the problems (the API's `error` when it refused them). */
  render(error?: string) {
    const problems = this.problems();
    const shown = [...problems, ...(error && error !== this.refusedHere ? [error] : [])];
    const invalid = shown.length > 0 ? 'true' : 'false';
    return html`<fieldset class="labels" data-field="labels">
      <legend>Labels</legend>
      <span class="hint" id="labels-hint"
        >Rules choose sites by them, e.g. tier = prod. Keys: lower-case letters, digits, “.”, “_”,
        “-”, optionally behind “prefix/”.</span
      >
      ${this.rows.map(
        (row, i) =>
          html`<div class="label-row">
            <input
              id="label-key-${i}"
              name="label-key"
              aria-label="Label ${i + 1} key"
              placeholder="key"
              autocomplete="off"
              .value=${row.key}
              aria-invalid=${invalid}
              aria-describedby="labels-error"
              @input=${(event: InputEvent) => this.edit(i, 'key', event)}
            />
            <span aria-hidden="true">=</span>
            <input
              name="label-value"
              aria-label="Label ${i + 1} value"
              placeholder="value"
              autocomplete="off"
              .value=${row.value}
              aria-invalid=${invalid}
              aria-describedby="labels-error"
              @input=${(event: InputEvent) => this.edit(i, 'value', event)}
            />
            <button
              type="button"
              class="remove-label"
              aria-label="Remove label ${row.key || i + 1}"
              @click=${() => this.remove(i)}
            >
              ✕
            </button>
          </div>`,
      )}
      <button type="button" class="add-label" @click=${() => this.add()}>Add label</button>
      ${
        shown.length > 0
          ? html`<p class="field-error" id="labels-error" role="alert">${shown.join('; ')}</p>`
          : nothing
      }
    </fieldset>`;
  }

  /**
   * The labels the form's rows hold (rows left empty are none); a mistake the API would refuse
   * throws as its refusal would, so the form shows it beside the labels without sending anything.
   */
  read(form: FormData): Labels {
    const problems = this.problems();
    this.refusedHere = problems.join('; ');
    if (problems.length > 0) throw new ApiError(400, 'invalid_labels', this.refusedHere);
    return labelsOf(form);
  }
}

const rowsOf = (labels: Labels): Row[] =>
  Object.keys(labels)
    .sort()
    .map((key) => ({ key, value: labels[key]! }));

function labelsOf(form: FormData): Labels {
  const keys = form.getAll('label-key').map((key) => String(key).trim());
  const values = form.getAll('label-value').map((value) => String(value).trim());
  const labels: Labels = {};
  keys.forEach((key, i) => {
    if (key !== '' || values[i] !== '') labels[key] = values[i] ?? '';
  });
  return labels;
}

/** Whether two label maps say the same. */
export function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
