import { css, html, nothing, type CSSResultGroup } from 'lit';
import { ApiError } from '@glint/core/client';
import type { Uploaded } from '@glint/api/replies';
import { formatBytes } from '@glint/core/client';
import { ImageForm } from './image-form';

/**
 * Uploads a file onto sites (POST /images/upload, the file as the raw body), with a progress bar of
 * the bytes sent; then each site's outcome.
 */
export class GlintImageUpload extends ImageForm {
  static override properties = {
    ...ImageForm.properties,
    sent: { state: true },
    size: { state: true },
    outcome: { state: true },
  };

  declare sent: number;
  declare size: number;
  declare outcome: string | null;
  protected readonly submitLabel = 'Upload';
  protected readonly siteField = 'site';
  protected readonly fields = ['file', 'site', 'name', 'diskFormat'];
  protected readonly codeFields = { file_required: 'file', payload_too_large: 'file' };

  constructor() {
    super();
    this.sent = 0;
    this.size = 0;
    this.outcome = null;
  }

  protected async send(form: FormData): Promise<unknown> {
    const file = form.get('file');
    const query = new URLSearchParams();
    for (const site of this.chosenSites(form)) query.append('site', site);
    const { name, diskFormat } = this.common(form);
    query.set('name', name || (file instanceof File ? file.name : ''));
    query.set('diskFormat', diskFormat);
    this.outcome = null;
    if (!(file instanceof File) || file.size === 0) {
      throw new ApiError(400, 'file_required', 'choose a file to upload');
    }
    query.set('size', String(file.size));
    this.size = file.size;
    this.sent = 0;
    return this.client.upload<Uploaded>(`/images/upload?${query}`, file, (sent) => {
      this.sent = sent;
    });
  }

  protected done(reply: unknown): void {
    const uploaded = reply as Uploaded;
    const siteName = (id: string) => this.sites.find((site) => site.id === id)?.name ?? id;
    this.outcome = uploaded.sites
      .map((site) =>
        site.outcome === 'copied'
          ? `copied to ${siteName(site.siteId)}`
          : `failed on ${siteName(site.siteId)}: ${site.error}`,
      )
      .join('; ');
    this.dispatchEvent(new Event('image-added', { bubbles: true, composed: true }));
  }

  protected renderFields() {
    const progress = this.size
      ? html`<div class="progress">
          <progress max=${this.size} .value=${this.sent} aria-label="Upload progress"></progress>
          <span class="sent"
            >${formatBytes(this.sent, 'page')} of ${formatBytes(this.size, 'page')}</span
          >
        </div>`
      : nothing;
    return html`${this.field(
      'file',
      'Image file',
      (invalid) =>
        html`<input
          id="file"
          name="file"
          type="file"
          aria-invalid=${invalid}
          aria-describedby="file-error"
        />`,
    )}
    ${this.renderCommon()} ${progress}
    ${this.outcome ? html`<p class="outcome" role="status">${this.outcome}</p>` : nothing}`;
  }

  static override styles: CSSResultGroup = [
    ImageForm.styles,
    css`
      .progress {
        display: flex;
        align-items: center;
        gap: 8px;
      }
      progress {
        flex: 1;
        height: 14px;
      }
    `,
  ];
}
