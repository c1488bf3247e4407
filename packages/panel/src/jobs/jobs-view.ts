import { css, html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { GlintEvent } from '@glint/core';
import type { Job, JobList, JobPart, Site, TransferHistory } from '@glint/api/replies';
import type { ChartSeries } from '../charts/hourly-chart';
import { dataTable } from '../data-table';
import { LiveView } from '../live-view';
import { refusal } from '../roles';
import { viewStyles } from '../view-styles';
import {
  cancellable,
  isProgress,
  methodText,
  progressText,
  retryable,
  type Progress,
} from './job-progress';

/** Progress is per destination: the key of one part of a job. */
const partKey = (jobId: string, siteId: string | null) => `${jobId}/${siteId ?? ''}`;

const states = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const operations = ['copy', 'delete', 'import', 'upload', 'inventory'];

/** The transfers chart: its hours and its series, one per final state. */
const chartHours = 24;
const transferStates: ChartSeries[] = [
  { key: 'succeeded', label: 'succeeded', color: '#16a34a' },
  { key: 'failed', label: 'failed', color: '#dc2626' },
  { key: 'cancelled', label: 'cancelled', color: '#9ca3af' },
];

interface Filters {
  state: string;
  operation: string;
  image: string;
  site: string;
}

/**
 * The Jobs view: the job history, newest first, filtered by state, operation, image and site
 * (GET /jobs). Progress events move a running job's bytes, rate and time left in place; any other
 * job event reads the page again, so new, finished and failed jobs show as they happen. Failed or
 * cancelled jobs can be retried, queued or running ones cancelled.
 */
export class GlintJobsView extends LiveView {
  static override properties = {
    ...LiveView.properties,
    jobs: { state: true },
    total: { state: true },
    filters: { state: true },
    progress: { state: true },
    sites: { state: true },
    transfers: { state: true },
  };

  declare jobs: Job[] | null;
  declare total: number;
  declare filters: Filters;
  /** The latest progress of running jobs' destinations, by partKey. */
  declare progress: Record<string, Progress>;
  declare sites: Site[];
  /** Copies, imports and uploads per hour by final state (GET /history/transfers). */
  declare transfers: TransferHistory | null;

  constructor() {
    super();
    this.jobs = null;
    this.total = 0;
    this.filters = { state: '', operation: '', image: '', site: '' };
    this.progress = {};
    this.sites = [];
    this.transfers = null;
  }

  protected eventArrived(event: GlintEvent): void {
    if (event.type !== 'job') return;
    if (isProgress(event)) {
      this.progress = {
        ...this.progress,
        [partKey(event.queueJobId, event.siteIds[0] ?? null)]: {
          bytes: event.bytes!,
          bytesPerSecond: event.bytesPerSecond ?? 0,
        },
      };
      if (this.jobs?.some((job) => job.id === event.queueJobId && job.state === 'running')) return;
    }
    void this.load();
  }

  /** Loads may overlap (a filter changed, an event came): only the latest one's page shows. */
  private loads = 0;

  protected async load() {
    const query = new URLSearchParams({ limit: '100' });
    for (const [name, value] of Object.entries(this.filters)) if (value) query.set(name, value);
    const load = ++this.loads;
    try {
      const site = this.filters.site ? `&site=${this.filters.site}` : '';
      const [list, sites, transfers] = await Promise.all([
        this.client.get<JobList>(`/jobs?${query}`),
        this.client.get<{ sites: Site[] }>('/sites'),
        this.client.get<TransferHistory>(`/history/transfers?hours=${chartHours}${site}`),
      ]);
      if (load !== this.loads) return;
      this.transfers = transfers;
      this.sites = sites.sites;
      this.jobs = list.jobs;
      this.total = list.page.total;
      this.error = null;
    } catch (error) {
      this.fail(error);
    }
  }

  /** The filtered image's name, from a job of it. */
  private imageNameOf(id: string): string {
    return this.jobs?.find((job) => job.imageId === id)?.imageName ?? id;
  }

  private filter(name: keyof Filters, value: string) {
    this.filters = { ...this.filters, [name]: value };
    void this.load();
  }

  private async act(job: Job, action: 'retry' | 'cancel') {
    try {
      await this.client.post(`/jobs/${encodeURIComponent(job.id)}/${action}`);
      await this.load();
    } catch (error) {
      this.fail(error);
    }
  }

  private siteName = (id: string | null, name: string | null) =>
    name ?? (id ? (this.sites.find((site) => site.id === id)?.name ?? id) : 'a removed site');

  /** A part's progress while it runs, else its end when it differs from its job's, with its error. */
  private renderPart(job: Job, part: JobPart, named: boolean) {
    const progress =
      part.state === 'running'
        ? html`<span class="progress"
            >${progressText(part, this.progress[partKey(job.id, part.siteId)])}</span
          >`
        : nothing;
    const site = named ? `${this.siteName(part.siteId, part.siteName)}: ` : '';
    const state = named && part.state !== 'running' ? part.state : '';
    const method = methodText(part);
    return html`<span class="part" data-site=${part.siteName ?? ''}
      >${site}${state}${progress}${method ? html` <span class="method">(${method})</span>` : nothing}${
        part.error ? html`<span class="job-error">${part.error}</span>` : nothing
      }</span
    >`;
  }

  private renderJob(job: Job) {
    const name = job.imageName ?? job.imageId;
    const image =
      job.imageId && name
        ? html`<button
            class="link"
            title="Only this image's jobs"
            @click=${() => this.filter('image', job.imageId!)}
          >
            ${name}
          </button>`
        : (name ?? '—');
    const destinations = job.parts.map((part) => this.siteName(part.siteId, part.siteName));
    const route = job.sourceSiteId
      ? `${this.siteName(job.sourceSiteId, job.sourceSiteName)} → ${destinations.join(', ')}`
      : destinations.join(', ');
    // A fan-out's destinations may end differently: each says how, by name.
    const named = job.parts.length > 1;
    const refused = refusal(this.role, 'jobs');
    return html`<tr data-job=${job.id} data-state=${job.state}>
      <td><span class="state ${job.state}">${job.state}</span></td>
      <td>${job.operation}</td>
      <td>${image}</td>
      <td class="nowrap">${route || '—'}</td>
      <td class="what">${job.parts.map((part) => this.renderPart(job, part, named))}</td>
      <td>${new Date(job.createdAt).toLocaleString()}</td>
      <td class="actions">
        ${
          retryable(job)
            ? html`<button
                class="retry"
                ?disabled=${refused !== undefined}
                title=${ifDefined(refused)}
                @click=${() => this.act(job, 'retry')}
              >
                Retry
              </button>`
            : nothing
        }
        ${
          cancellable(job)
            ? html`<button
                class="cancel"
                ?disabled=${refused !== undefined}
                title=${ifDefined(refused)}
                @click=${() => this.act(job, 'cancel')}
              >
                Cancel
              </button>`
            : nothing
        }
      </td>
    </tr>`;
  }

  private select(name: keyof Filters, label: string, options: { value: string; label: string }[]) {
    return html`<label
      >${label}
      <select
        name=${name}
        @change=${(event: Event) => this.filter(name, (event.target as HTMLSelectElement).value)}
      >
        <option value="">any</option>
        ${options.map(
          ({ value, label: text }) =>
            html`<option value=${value} ?selected=${this.filters[name] === value}>${text}</option>`,
        )}
      </select></label
    >`;
  }

  override render() {
    const words = (values: string[]) => values.map((value) => ({ value, label: value }));
    return html`<div class="toolbar">
        <h2>Jobs</h2>
        ${this.select('state', 'State', words(states))}
        ${this.select('operation', 'Operation', words(operations))}
        ${this.select(
          'site',
          'Site',
          this.sites.map((site) => ({ value: site.id, label: site.name })),
        )}
        ${
          this.filters.image
            ? html`<span class="chip"
                >Image: ${this.imageNameOf(this.filters.image)}
                <button aria-label="Any image" @click=${() => this.filter('image', '')}>
                  ✕
                </button></span
              >`
            : nothing
        }
        <span class="count"
          >${this.jobs ? `${this.total} job${this.total === 1 ? '' : 's'}` : ''}</span
        >
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        this.transfers
          ? html`<glint-hourly-chart
              class="transfers"
              label="Transfers per hour, last ${chartHours} hours"
              .series=${transferStates}
              .hours=${this.transfers.hours}
            ></glint-hourly-chart>`
          : nothing
      }
      ${
        this.jobs === null
          ? html`<p>Loading…</p>`
          : this.jobs.length === 0
            ? html`<p class="empty">No jobs match.</p>`
            : dataTable(
                ['State', 'Operation', 'Image', 'Sites', 'Progress or error', 'Asked for', ''],
                this.jobs.map((job) => this.renderJob(job)),
              )
      }`;
  }

  static override styles = [
    viewStyles,
    css`
      h2 {
        margin-right: 8px;
      }
      label {
        display: flex;
        align-items: center;
        gap: 4px;
        color: #374151;
      }
      select {
        font: inherit;
        padding: 4px 8px;
      }
      button.link {
        border: none;
        padding: 0;
        background: none;
        color: #1d4ed8;
        text-decoration: underline;
        text-align: left;
      }
      .chip {
        display: flex;
        align-items: center;
        gap: 4px;
        padding: 2px 4px 2px 10px;
        background: #eff6ff;
        border-radius: 12px;
      }
      .chip button {
        border: none;
        background: none;
        padding: 0 4px;
      }
      glint-hourly-chart {
        margin-bottom: 12px;
      }
      .count {
        margin-left: auto;
        color: #6b7280;
      }
      td.what {
        max-width: 380px;
      }
      td.actions {
        white-space: nowrap;
        text-align: right;
      }
      .state {
        display: inline-block;
        padding: 1px 8px;
        border-radius: 10px;
        font-size: 12px;
        font-weight: 600;
        background: #f3f4f6;
      }
      .state.running {
        background: #dbeafe;
        color: #1e3a8a;
      }
      .state.succeeded {
        background: #dcfce7;
        color: #166534;
      }
      .state.failed {
        background: #fee2e2;
        color: #7f1d1d;
      }
      .state.cancelled {
        background: #e5e7eb;
        color: #374151;
      }
      .part {
        display: block;
      }
      .job-error {
        display: block;
        color: #7f1d1d;
      }
    `,
  ];
}
