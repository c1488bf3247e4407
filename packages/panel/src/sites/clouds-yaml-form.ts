import { html } from 'lit';
import { siteCodeFields } from './site-code-fields';
import { AddSiteMethod, given } from './add-site-method';
import { text } from '../forms/field-form';

/** Adds a site from a pasted clouds.yaml entry. */
export class GlintCloudsYamlForm extends AddSiteMethod {
  protected readonly path = '/sites/clouds-yaml';
  protected readonly fields = ['name', 'cloudsYaml', 'cloud', 'password', 'labels'];
  protected readonly codeFields = {
    ...siteCodeFields,
    invalid_site_file: 'cloudsYaml',
    invalid_site_settings: 'cloudsYaml',
    ca_bundle_required: 'cloudsYaml',
    site_unreachable: 'cloudsYaml',
    site_address_refused: 'cloudsYaml',
    site_auth_url_wrong: 'cloudsYaml',
    site_has_no_image_service: 'cloudsYaml',
    cloud_required: 'cloud',
    password_required: 'password',
    site_login_rejected: 'password',
    site_permission_denied: 'password',
  };

  protected body(form: FormData) {
    return Promise.resolve({
      name: text(form, 'name'),
      cloudsYaml: String(form.get('cloudsYaml') ?? ''),
      ...given({ cloud: text(form, 'cloud'), password: String(form.get('password') ?? '') }),
    });
  }

  protected renderFields() {
    return html`${this.input('name', 'Site name')}
    ${this.field(
      'cloudsYaml',
      'clouds.yaml',
      (invalid) =>
        html`<textarea
          id="cloudsYaml"
          name="cloudsYaml"
          spellcheck="false"
          placeholder="clouds:&#10;  mycloud:&#10;    auth:&#10;      auth_url: https://…"
          aria-invalid=${invalid}
          aria-describedby="cloudsYaml-error"
        ></textarea>`,
    )}
    ${this.input('cloud', 'Cloud', 'text', { hint: 'The entry to use, when there are several' })}
    ${this.input('password', 'Password', 'password', {
      hint: 'Needed when the entry does not hold it',
      autocomplete: 'new-password',
    })}`;
  }
}
