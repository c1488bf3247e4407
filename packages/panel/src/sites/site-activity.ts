import { css, html, nothing } from 'lit';
import type { GlintEvent } from '@glint/core';
import type { Site, SiteHistory } from '@glint/api/replies';
import type { ChartHour, ChartSeries } from '../charts/hourly-chart';
import { LiveView } from '../live-view';
import { viewStyles } from '../view-styles';

const hours = 24;

const traffic: ChartSeries[] = [
  { key: 'bytesIn', label: 'copied onto it', color: '#2563eb' },
  { key: 'bytesOut', label: 'sent from it', color: '#93c5fd' },
];
const outcomes: ChartSeries[] = [
  { key: 'succeeded', label: 'succeeded', color: '#16a34a' },
  { key: 'failed', label: 'failed', color: '#dc2626' },
];
const held: ChartSeries[] = [{ key: 'images', label: 'images held', color: '#7c3aed' }];

/** The inventories on the same hours as the other charts; an hour without one is a gap. */
function inventoryHours(history: SiteHistory): ChartHour[] {
  const taken = new Map(history.inventory.map((h) => [h.hour, h.images]));
  return history.hours.map(({ hour }) => ({ hour, images: taken.get(hour) }));
}

/**
 * `<glint-site-activity>`: one site over the last day, from the API's hourly history: bytes copied
 * onto and from it, its jobs that succeeded and failed, and what its inventories found. A job or
 * an inventory that ends on the site reads the history again.
 */
export class GlintSiteActivity extends LiveView {
  static override properties = {
    ...LiveView.properties,
    site: { attribute: false },
    history: { state: true },
  };

  declare site: Site;
  declare history: SiteHistory | null;

  constructor() {
    super();
    this.history = null;
  }

  protected eventArrived(event: GlintEvent): void {
    const ended = event.type === 'job' && event.state !== 'running' && event.state !== 'queued';
    if ((ended || event.type === 'cells') && event.siteIds.includes(this.site.id)) void this.load();
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('site') && changed.get('site') !== undefined) void this.load();
  }

  protected async load() {
    try {
      this.history = await this.client.get<SiteHistory>(
        `/history/sites/${this.site.id}?hours=${hours}`,
      );
      this.error = null;
    } catch (error) {
      this.fail(error);
    }
  }

  override render() {
    const history = this.history;
    return html`<h3>${this.site.name}: the last ${hours} hours</h3>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        history
          ? html`<div class="charts">
              <glint-hourly-chart
                class="throughput"
                label="Throughput (bytes per hour)"
                unit="bytes"
                .series=${traffic}
                .hours=${history.hours}
              ></glint-hourly-chart>
              <glint-hourly-chart
                class="failures"
                label="Jobs per hour"
                .series=${outcomes}
                .hours=${history.hours}
              ></glint-hourly-chart>
              ${
                history.inventory.length > 0
                  ? html`<glint-hourly-chart
                      class="inventory"
                      kind="line"
                      label="Images held, by inventory"
                      .series=${held}
                      .hours=${inventoryHours(history)}
                    ></glint-hourly-chart>`
                  : html`<p class="empty">No inventory in the last ${hours} hours.</p>`
              }
            </div>`
          : html`<p>Loading…</p>`
      }`;
  }

  static override styles = [
    viewStyles,
    css`
      h3 {
        margin: 16px 0 8px;
        font-size: 16px;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(340px, 1fr));
        gap: 16px;
      }
    `,
  ];
}
