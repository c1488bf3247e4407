import { html, nothing } from 'lit';
import { text } from '../forms/field-form';
import { ImageForm } from './image-form';

type ImportReply = { status: 'queued'; jobId: string } | { status: 'present'; message: string };

/** Imports an image from a URL (POST /images/import): the daemon fetches it; the Jobs view follows it. */
export class GlintImageImport extends ImageForm {
  static override properties = { ...ImageForm.properties, outcome: { state: true } };

  declare outcome: string | null;
  protected readonly submitLabel = 'Import';
  protected readonly siteField = 'sites';
  protected readonly fields = ['url', 'sites', 'name', 'diskFormat'];
  protected readonly codeFields = { import_url_refused: 'url' };

  constructor() {
    super();
    this.outcome = null;
  }

  protected send(form: FormData): Promise<unknown> {
    this.outcome = null;
    return this.client.post<ImportReply>('/images/import', {
      url: text(form, 'url'),
      ...this.common(form),
      sites: this.chosenSites(form),
    });
  }

  protected done(reply: unknown): void {
    const outcome = reply as ImportReply;
    this.outcome =
      outcome.status === 'queued' ? `Import queued; the Jobs view follows it.` : outcome.message;
  }

  protected renderFields() {
    return html`${this.input('url', 'URL', 'url', { placeholder: 'https://…/image.qcow2' })}
    ${this.renderCommon()}
    ${this.outcome ? html`<p class="outcome" role="status">${this.outcome}</p>` : nothing}`;
  }
}
