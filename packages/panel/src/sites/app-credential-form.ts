import { html } from 'lit';
import { siteCodeFields } from './site-code-fields';
import { AddSiteMethod, given } from './add-site-method';
import { text } from '../forms/field-form';

/** Adds an OpenStack site by its Keystone URL and an application credential. */
export class GlintAppCredentialForm extends AddSiteMethod {
  protected readonly path = '/sites';
  protected readonly fields = ['name', 'authUrl', 'region', 'id', 'secret', 'labels'];
  protected readonly codeFields = {
    ...siteCodeFields,
    invalid_site_settings: 'authUrl',
    site_unreachable: 'authUrl',
    site_address_refused: 'authUrl',
    site_auth_url_wrong: 'authUrl',
    site_has_no_image_service: 'region',
    site_login_rejected: 'secret',
    site_permission_denied: 'secret',
  };

  protected body(form: FormData) {
    return Promise.resolve({
      type: 'openstack',
      name: text(form, 'name'),
      config: { authUrl: text(form, 'authUrl'), ...given({ region: text(form, 'region') }) },
      credential: {
        kind: 'application_credential',
        id: text(form, 'id'),
        secret: String(form.get('secret') ?? ''),
      },
    });
  }

  protected renderFields() {
    return html`${this.input('name', 'Site name')}
    ${this.input('authUrl', 'Keystone URL', 'url', {
      placeholder: 'https://keystone.example.org:5000/v3',
    })}
    ${this.input('region', 'Region', 'text', { hint: 'Any region when left empty' })}
    ${this.input('id', 'Application credential ID')}
    ${this.input('secret', 'Secret', 'password', { autocomplete: 'new-password' })}`;
  }
}
