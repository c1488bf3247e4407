import { css, html, type CSSResultGroup } from 'lit';
import { formStyles } from '../forms/form-styles';
import type { Site } from '@glint/api/replies';
import { FieldForm, text } from '../forms/field-form';

export const diskFormats = ['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'iso'];

/**
 * What the upload and import forms share: the sites to put the image on, its name and disk format.
 * The API's complaints about `site`/`sites` show beside the site choices.
 */
export abstract class ImageForm extends FieldForm {
  static override properties = { ...FieldForm.properties, sites: { attribute: false } };

  declare sites: Site[];
  /** What the API calls the sites in its complaints: the upload's query `site`, the import's body `sites`. */
  protected abstract readonly siteField: string;

  constructor() {
    super();
    this.sites = [];
  }

  /** The chosen sites' ids. */
  protected chosenSites = (form: FormData) => form.getAll('site').map(String);

  protected common(form: FormData) {
    return { name: text(form, 'name'), diskFormat: text(form, 'diskFormat') };
  }

  protected renderCommon() {
    return html`${this.field(
      this.siteField,
      'Sites',
      (invalid) =>
        html`<div
          class="choices"
          role="group"
          aria-label="Sites"
          aria-invalid=${invalid}
          aria-describedby="${this.siteField}-error"
        >
          ${this.sites.map(
            (site) =>
              html`<label class="choice"
                ><input type="checkbox" name="site" value=${site.id} /> ${site.name}</label
              >`,
          )}
        </div>`,
    )}
    ${this.input('name', 'Image name')}
    ${this.field(
      'diskFormat',
      'Disk format',
      (invalid) =>
        html`<select
          id="diskFormat"
          name="diskFormat"
          aria-invalid=${invalid}
          aria-describedby="diskFormat-error"
        >
          ${diskFormats.map((format) => html`<option>${format}</option>`)}
        </select>`,
    )}`;
  }

  static override styles: CSSResultGroup = [
    formStyles,
    css`
      .outcome {
        margin: 0;
        color: #166534;
      }
    `,
  ];
}
