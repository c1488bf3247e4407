import { html } from 'lit';
import { siteCodeFields } from './site-code-fields';
import { AddSiteMethod, given } from './add-site-method';
import { fileText, text } from '../forms/field-form';

/** Adds a site from an openrc file (as Horizon hands them out) and the password it leaves out. */
export class GlintOpenrcForm extends AddSiteMethod {
  protected readonly path = '/sites/openrc';
  protected readonly fields = ['name', 'openrc', 'password', 'caBundle', 'labels'];
  protected readonly codeFields = {
    ...siteCodeFields,
    invalid_site_file: 'openrc',
    invalid_site_settings: 'openrc',
    site_unreachable: 'openrc',
    site_address_refused: 'openrc',
    site_auth_url_wrong: 'openrc',
    site_has_no_image_service: 'openrc',
    password_required: 'password',
    site_login_rejected: 'password',
    site_permission_denied: 'password',
    ca_bundle_required: 'caBundle',
  };

  protected async body(form: FormData) {
    return {
      name: text(form, 'name'),
      openrc: await fileText(form, 'openrc'),
      ...given({
        password: String(form.get('password') ?? ''),
        caBundle: await fileText(form, 'caBundle'),
      }),
    };
  }

  protected renderFields() {
    return html`${this.input('name', 'Site name')}
    ${this.input('openrc', 'openrc file', 'file', { hint: 'Horizon: API Access → OpenStack RC file' })}
    ${this.input('password', 'Password', 'password', {
      hint: 'Needed when the file does not hold it, as Horizon’s files do not',
      autocomplete: 'new-password',
    })}
    ${this.input('caBundle', 'CA bundle (PEM)', 'file', {
      hint: 'Only when the file names one (OS_CACERT)',
    })}`;
  }
}
