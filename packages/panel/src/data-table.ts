import { html, type TemplateResult } from 'lit';

/**
 * A table of a view (style it with tableStyles): its column headers, then `rows`. An empty header
 * names the actions column for screen readers only.
 */
export function dataTable(headers: string[], rows: unknown): TemplateResult {
  return html`<table>
    <thead>
      <tr>
        ${headers.map(
          (header) =>
            html`<th scope="col">
              ${header || html`<span class="visually-hidden">Actions</span>`}
            </th>`,
        )}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}
