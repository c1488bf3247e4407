import { css, html, nothing } from 'lit';
import type { GlintEvent } from '@glint/core';
import type { ImageDetails, Matrix, Site } from '@glint/api/replies';
import { formatBytes } from '@glint/core/client';
import { LiveView } from '../live-view';
import { refusal } from '../roles';
import { viewStyles } from '../view-styles';

/**
 * The Images view: upload a file, import from a URL, and find an image to see its details. The
 * list and the open image are read again when events name them (or, for inventories, name none).
 */
export class GlintImagesView extends LiveView {
  static override properties = {
    ...LiveView.properties,
    sites: { state: true },
    images: { state: true },
    details: { state: true },
  };

  declare sites: Site[];
  declare images: Matrix['rows'] | null;
  declare details: ImageDetails | null;
  private search = '';
  private searchTimer?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    this.sites = [];
    this.images = null;
    this.details = null;
  }

  protected eventArrived(event: GlintEvent): void {
    // A release's renames and a rule change's placements come as cells events of their own.
    if (event.type === 'release' || event.type === 'rules') return;
    const named = event.type === 'job' ? [event.imageId] : (event.imageIds ?? null);
    if (named === null) void this.load();
    else if (this.details && named.includes(this.details.id)) void this.open(this.details.id);
  }

  protected async load() {
    const query = new URLSearchParams({ limit: '50' });
    if (this.search) query.set('name', this.search);
    try {
      const [sites, matrix] = await Promise.all([
        this.client.get<{ sites: Site[] }>('/sites'),
        this.client.get<Matrix>(`/matrix?${query}`),
      ]);
      this.sites = sites.sites;
      this.images = matrix.rows;
      if (this.details) await this.open(this.details.id);
    } catch (error) {
      this.fail(error);
    }
  }

  private async open(id: string) {
    try {
      this.details = await this.client.get<ImageDetails>(`/images/${id}`);
    } catch (error) {
      this.fail(error);
    }
  }

  private onSearch(event: InputEvent) {
    this.search = (event.target as HTMLInputElement).value.trim();
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.load(), 250);
  }

  /** Upload and import, for the roles that may bring images in; a word why for the others. */
  private renderForms() {
    const refused = refusal(this.role, 'upload');
    if (refused)
      return html`<p class="read-only">
        Uploading and importing images: ${refused.toLowerCase()}.
      </p>`;
    return html`<div class="forms">
      <section aria-labelledby="upload-title">
        <h2 id="upload-title">Upload a file</h2>
        <glint-image-upload .client=${this.client} .sites=${this.sites}></glint-image-upload>
      </section>
      <section aria-labelledby="import-title">
        <h2 id="import-title">Import from a URL</h2>
        <glint-image-import .client=${this.client} .sites=${this.sites}></glint-image-import>
      </section>
    </div>`;
  }

  override render() {
    return html`${this.renderForms()}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="browse">
        <section class="list" aria-labelledby="images-title">
          <h2 id="images-title">Images</h2>
          <input
            class="search"
            type="search"
            placeholder="Filter by name"
            aria-label="Filter images by name"
            @input=${this.onSearch}
          />
          <ul>
            ${(this.images ?? []).map(
              (image) =>
                html`<li>
                  <button
                    class="image"
                    aria-current=${this.details?.id === image.id ? 'true' : 'false'}
                    @click=${() => this.open(image.id)}
                  >
                    <span>${image.name}</span>
                    <small>${image.size === null ? '' : formatBytes(image.size, 'page')}</small>
                  </button>
                </li>`,
            )}
          </ul>
        </section>
        <section class="details" aria-label="Image details">
          ${
            this.details
              ? html`<glint-image-details .details=${this.details}></glint-image-details>`
              : html`<p class="empty">Choose an image to see its hashes, formats and copies.</p>`
          }
        </section>
      </div>`;
  }

  static override styles = [
    viewStyles,
    css`
      :host {
        gap: 16px;
      }
      .read-only {
        margin: 0;
        color: #374151;
      }
      .forms {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
        gap: 16px;
      }
      section {
        padding: 12px 16px;
        border: 1px solid #d1d5db;
        border-radius: 6px;
        background: #fff;
        min-width: 0;
      }
      h2 {
        margin: 0 0 10px;
        font-size: 15px;
      }
      .browse {
        display: grid;
        grid-template-columns: minmax(200px, 280px) minmax(0, 1fr);
        gap: 16px;
        align-items: start;
      }
      .search {
        box-sizing: border-box;
        width: 100%;
        padding: 5px 8px;
        font: inherit;
      }
      ul {
        list-style: none;
        margin: 8px 0 0;
        padding: 0;
        max-height: 420px;
        overflow: auto;
      }
      button.image {
        display: flex;
        justify-content: space-between;
        gap: 8px;
        width: 100%;
        padding: 6px 8px;
        border: none;
        border-radius: 4px;
        background: none;
        font: inherit;
        text-align: left;
        cursor: pointer;
      }
      button.image span {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      button.image small {
        flex: none;
        /* Dark enough on the chosen image's blue too (WCAG AA, 4.5:1). */
        color: #4b5563;
      }
      button.image[aria-current='true'] {
        background: #dbeafe;
      }
    `,
  ];
}
