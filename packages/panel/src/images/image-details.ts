import { LitElement, css, html, nothing } from 'lit';
import type { ImageDetails } from '@glint/api/replies';
import { stateLooks } from '../matrix/cell-display';
import { dataTable } from '../data-table';
import { formatBytes } from '@glint/core/client';
import { tableStyles } from '../view-styles';

type Copy = ImageDetails['sites'][number]['copies'][number];

/** What a copy's inventory says besides its status: the properties that decide what Glint may do with it. */
function propertiesOf(copy: Copy, image: ImageDetails): string[] {
  const { hash } = image;
  const marker =
    copy.glintContentHash === null
      ? ''
      : copy.glintContentHash === (hash && `${hash.algo}:${hash.value}`)
        ? 'glint_content_hash matches the content hash'
        : `glint_content_hash ${copy.glintContentHash}, not the content hash`;
  // A copy's marker holds the site's id (an upload's or import's says so instead): show its name.
  const source =
    copy.glintSourceSite &&
    (image.sites.find((site) => site.siteId === copy.glintSourceSite)?.siteName ??
      copy.glintSourceSite);
  return [
    copy.protected ? 'protected' : '',
    copy.cloudOwner ? `owner ${copy.cloudOwner}` : '',
    source ? `glint_source_site ${source}` : '',
    copy.glintSourceImage ? `glint_source_image ${copy.glintSourceImage}` : '',
    marker,
  ].filter(Boolean);
}

/** One image (GET /images/:id): its hashes, formats, size, and each site's state and copies. */
export class GlintImageDetails extends LitElement {
  static override properties = { details: { attribute: false } };

  declare details: ImageDetails;

  override render() {
    const image = this.details;
    return html`<h3>${image.name}</h3>
      <dl>
        <dt>Content hash</dt>
        <dd class="hash">${image.hash ? `${image.hash.algo}: ${image.hash.value}` : 'unknown'}</dd>
        <dt>Size</dt>
        <dd>
          ${image.size === null ? 'unknown' : `${formatBytes(image.size, 'page')} (${image.size} bytes)`}
        </dd>
        <dt>Formats</dt>
        <dd>${image.diskFormat ?? '?'} / ${image.containerFormat ?? '?'}</dd>
        <dt>Visibility</dt>
        <dd>${image.visibilities.join(', ') || '—'}</dd>
        ${
          image.conflict
            ? html`<dt>Conflict</dt>
                <dd>other content has this name on some site</dd>`
            : nothing
        }
        ${
          image.related.length
            ? html`<dt>Related</dt>
                <dd>the same content under ${image.related.length} other name(s)</dd>`
            : nothing
        }
      </dl>
      ${dataTable(
        ['Site', 'State', 'Copy', 'Status', 'md5', 'Properties'],
        image.sites.map((site) => {
          const look = stateLooks[site.state];
          const copies = site.copies.length ? site.copies : [null];
          return copies.map(
            (copy, i) =>
              html`<tr data-site=${site.siteName}>
                ${
                  i === 0
                    ? html`<th scope="row" rowspan=${copies.length}>${site.siteName}</th>
                        <td rowspan=${copies.length} class="state" data-state=${site.state}>
                          ${look.icon} ${look.label}
                          ${site.message ? html`<small>${site.message}</small>` : nothing}
                        </td>`
                    : nothing
                }
                ${
                  copy
                    ? html`<td class="mono copy" title=${copy.cloudImageId}>
                          ${copy.cloudImageId.slice(0, 8)}…
                        </td>
                        <td class="nowrap">${copy.status} · ${copy.visibility}</td>
                        <td class="mono md5">${copy.checksum ?? '—'}</td>
                        <td>
                          ${propertiesOf(copy, image).map(
                            (property) => html`<span class="property">${property}</span>`,
                          )}
                        </td>`
                    : html`<td colspan="4" class="none">no copy</td>`
                }
              </tr>`,
          );
        }),
      )}`;
  }

  static override styles = [
    tableStyles,
    css`
      :host {
        display: block;
      }
      h3 {
        margin: 0 0 8px;
        font-size: 15px;
      }
      dl {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        gap: 4px 16px;
        margin: 0 0 12px;
      }
      dt {
        color: #4b5563;
      }
      dd {
        margin: 0;
      }
      .hash,
      .mono {
        font-family: ui-monospace, monospace;
        font-size: 12px;
        overflow-wrap: anywhere;
      }
      td.copy,
      td.state {
        white-space: nowrap;
      }
      td.md5 {
        min-width: 9em;
      }
      td.properties {
        min-width: 16em;
      }
      .property {
        display: block;
        overflow-wrap: anywhere;
      }
      td.state small {
        display: block;
        color: #7f1d1d;
      }
      .none {
        color: #6b7280;
      }
    `,
  ];
}
