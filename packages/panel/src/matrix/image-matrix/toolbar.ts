import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { RowQuery, SortKey } from '../matrix-data';

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The orders the toolbar offers; the Image and Size headers sort too. */
const sortChoices: { value: string; label: string }[] = [
  { value: 'name', label: 'Name, A to Z' },
  { value: '-name', label: 'Name, Z to A' },
  { value: '-size', label: 'Largest first' },
  { value: 'size', label: 'Smallest first' },
  { value: '-created', label: 'Newest first' },
  { value: 'created', label: 'Oldest first' },
  { value: '-copies', label: 'Most copies first' },
  { value: 'copies', label: 'Fewest copies first' },
];
const sortValue = ({ key, descending }: RowQuery['sort']) => `${descending ? '-' : ''}${key}`;

export interface ToolbarState {
  query: RowQuery;
  /** Every image row the filters pass, release versions included. */
  images: number;
  /** Release families, each a row of its own over its versions. */
  families: number;
  sites: number;
  /** Changed cells not applied yet. */
  pending: number;
  busy: boolean;
  /** Why the caller may not change placements, when they may not: the grid is then read-only. */
  placeRefusal: string | undefined;
  /** The label keys the sites carry, to group the columns by. */
  labelKeys: string[];
}

export interface ToolbarActions {
  /** The name filter typed into, debounced by the matrix. */
  filter(event: InputEvent): void;
  setQuery(change: Partial<RowQuery>): void;
  review(): void;
}

/** The matrix's toolbar: the name, visibility and conflicts filters, the order, and Review. */
export function matrixToolbar(state: ToolbarState, actions: ToolbarActions): TemplateResult {
  const { query, pending } = state;
  const families = state.families
    ? ` · ${state.families} release famil${state.families === 1 ? 'y' : 'ies'}`
    : '';
  const onVisibility = (event: Event) =>
    actions.setQuery({
      visibility: (event.target as HTMLSelectElement).value as RowQuery['visibility'],
    });
  const onSort = (event: Event) => {
    const value = (event.target as HTMLSelectElement).value;
    actions.setQuery({
      sort: { key: value.replace(/^-/, '') as SortKey, descending: value.startsWith('-') },
    });
  };
  return html`<div class="toolbar">
    <input
      type="search"
      class="filter"
      placeholder="Filter by name"
      aria-label="Filter images by name"
      @input=${(event: InputEvent) => actions.filter(event)}
    />
    <label
      >Visibility
      <select class="visibility" @change=${onVisibility}>
        <option value="" ?selected=${query.visibility === ''}>any</option>
        ${(['private', 'shared', 'community', 'public'] as const).map(
          (v) => html`<option value=${v} ?selected=${query.visibility === v}>${v}</option>`,
        )}
      </select></label
    >
    <label
      ><input
        type="checkbox"
        class="conflicts"
        .checked=${query.conflicts}
        @change=${(e: Event) =>
          actions.setQuery({ conflicts: (e.target as HTMLInputElement).checked })}
      />Conflicts only</label
    >
    ${labelControls(state, actions)}
    <label
      >Sort
      <select class="sort" @change=${onSort}>
        ${sortChoices.map(
          (choice) =>
            html`<option value=${choice.value} ?selected=${sortValue(query.sort) === choice.value}>
              ${choice.label}
            </option>`,
        )}
      </select></label
    >
    <span class="count"
      >${plural(state.images, 'image')}${families} · ${plural(state.sites, 'site')}</span
    >
    ${
      state.placeRefusal
        ? html`<span class="read-only" title=${state.placeRefusal}>Read-only</span>`
        : nothing
    }
    <button
      class="review"
      ?disabled=${pending === 0 || state.busy || state.placeRefusal !== undefined}
      title=${ifDefined(state.placeRefusal)}
      @click=${() => actions.review()}
    >
      Review ${plural(pending, 'change')}
    </button>
  </div>`;
}

/** `key=value` filters, comma-separated; null when one is not. */
function parsedLabels(text: string): string[] | null {
  const labels = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return labels.every((label) => /^[^=\s]+=[^=\s]*$/.test(label)) ? labels : null;
}

/** The site filter by labels and the grouping of the columns by a label's values. */
function labelControls(state: ToolbarState, actions: ToolbarActions): TemplateResult {
  const { query } = state;
  const onLabels = (event: Event) => {
    const input = event.target as HTMLInputElement;
    const labels = parsedLabels(input.value);
    input.setAttribute('aria-invalid', labels ? 'false' : 'true');
    if (labels) actions.setQuery({ labels });
  };
  const keys = [...new Set([...state.labelKeys, ...(query.groupBy ? [query.groupBy] : [])])].sort();
  return html`<label title="Only the sites carrying every label given, e.g. tier=prod, zone=b"
      >Sites with
      <input
        type="search"
        class="label-filter"
        placeholder="key=value"
        aria-label="Only sites with these labels (key=value, comma-separated)"
        .value=${query.labels.join(', ')}
        @change=${onLabels}
    /></label>
    <label
      >Group sites by
      <select
        class="group-by"
        @change=${(event: Event) =>
          actions.setQuery({ groupBy: (event.target as HTMLSelectElement).value })}
      >
        <option value="" ?selected=${query.groupBy === ''}>none</option>
        ${keys.map(
          (key) => html`<option value=${key} ?selected=${query.groupBy === key}>${key}</option>`,
        )}
      </select></label
    >`;
}
