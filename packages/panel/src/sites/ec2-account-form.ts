import { css, html, type CSSResultGroup } from 'lit';
import type { Account } from '@glint/api/replies';
import { FieldForm, text } from '../forms/field-form';
import { formStyles } from '../forms/form-styles';
import { given } from './add-site-method';
import { ec2CodeFields, regionList } from './ec2-account-fields';

const endpointFields = ['ec2', 's3', 'sts', 'ssm'];

/**
 * Adds an EC2 account (POST /accounts): its keys, checked live before anything is stored, and the
 * regions to enable, each a site. AWS lists an account's regions only once its keys are known, so
 * they are typed here (us-east-1 unless changed) and the account's Edit offers every region AWS
 * lists. Fires `account-added` with the account.
 */
export class GlintEc2AccountForm extends FieldForm {
  protected readonly submitLabel = 'Add account';
  protected readonly fields = [
    'name',
    'accessKeyId',
    'secretAccessKey',
    'sessionToken',
    'roleArn',
    'regions',
    ...endpointFields,
  ];
  protected readonly codeFields = ec2CodeFields;

  protected send(form: FormData): Promise<unknown> {
    const regions = regionList(text(form, 'regions'));
    const endpoints = given(Object.fromEntries(endpointFields.map((f) => [f, text(form, f)])));
    return this.client.post<Account>('/accounts', {
      type: 'ec2',
      name: text(form, 'name'),
      credential: {
        kind: 'ec2_keys',
        accessKeyId: text(form, 'accessKeyId'),
        secretAccessKey: String(form.get('secretAccessKey') ?? ''),
        ...given({ sessionToken: String(form.get('sessionToken') ?? '') }),
      },
      ...(regions.length > 0 ? { regions } : {}),
      settings: {
        ...given({ roleArn: text(form, 'roleArn') }),
        ...(Object.keys(endpoints).length > 0 ? { endpoints } : {}),
      },
    });
  }

  protected done(reply: unknown): void {
    this.dispatchEvent(
      new CustomEvent<Account>('account-added', {
        bubbles: true,
        composed: true,
        detail: reply as Account,
      }),
    );
  }

  protected renderFields() {
    const endpointError = endpointFields.some((field) => this.errors[field]);
    return html`${this.input('name', 'Account name', 'text', {
        hint: 'Each region becomes a site named <account>/<region>',
      })}
      ${this.input('accessKeyId', 'Access key ID', 'text', { placeholder: 'AKIA…' })}
      ${this.input('secretAccessKey', 'Secret access key', 'password', {
        autocomplete: 'new-password',
      })}
      ${this.input('sessionToken', 'Session token', 'password', {
        hint: 'Only for temporary keys',
        autocomplete: 'new-password',
      })}
      ${this.input('roleArn', 'Role to assume', 'text', {
        placeholder: 'arn:aws:iam::123456789012:role/glint',
        hint: 'Optional: Glint then works as this role, with the keys above',
      })}
      ${this.input('regions', 'Regions', 'text', {
        value: 'us-east-1',
        hint: 'Region codes, separated by spaces or commas. Each is checked with AWS; the account’s Edit lists every region it may use',
      })}
      <details class="advanced" ?open=${endpointError}>
        <summary>Advanced: endpoint overrides</summary>
        <div class="overrides">
          <p class="hint">For S3- and EC2-compatible clouds; leave empty for AWS.</p>
          ${this.input('ec2', 'EC2 endpoint', 'url', { placeholder: 'https://ec2.example.org' })}
          ${this.input('s3', 'S3 endpoint', 'url', { placeholder: 'https://s3.example.org' })}
          ${this.input('sts', 'STS endpoint', 'url', { placeholder: 'https://sts.example.org' })}
          ${this.input('ssm', 'SSM endpoint', 'url', {
            placeholder: 'https://ssm.example.org',
            hint: 'Where release families keep each region’s stable AMI id (/glint/FAMILY/CHANNEL)',
          })}
        </div>
      </details>`;
  }

  static override styles: CSSResultGroup = [
    formStyles,
    css`
      summary {
        color: #374151;
        font-weight: 500;
        cursor: pointer;
      }
      .overrides {
        display: grid;
        gap: 10px;
        margin-top: 10px;
        padding-left: 14px;
        border-left: 2px solid #e5e7eb;
      }
      .overrides .hint {
        margin: 0;
      }
    `,
  ];
}
