import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { GlintEvent } from '@glint/core';
import type { Account, Site, SiteHealth } from '@glint/api/replies';
import { dataTable } from '../../data-table';
import { labelChips } from '../../label-chips';
import { LiveView } from '../../live-view';
import { refusal } from '../../roles';
import { failureText } from '../../view-failure';
import { sitesViewStyles } from './styles';

type Health = SiteHealth | 'checking' | { error: string };

const selfHealWords = { off: 'off', restore: 'restore', 'restore-and-prune': 'restore + prune' };

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

/**
 * The Sites view: the caller's sites with their health (a live login each), adding, editing and
 * removing them. An inventory's `cells` event re-reads the list (its time changes); adding or
 * removing a site tells the other views through the shared event target, and queues the new
 * site's inventory. An EC2 region's site is its account's: editing or removing it edits or removes
 * the account (or disables just that region).
 */
export class GlintSitesView extends LiveView {
  static override styles = sitesViewStyles;

  static override properties = {
    ...LiveView.properties,
    sites: { state: true },
    health: { state: true },
    notice: { state: true },
    adding: { state: true },
    editing: { state: true },
    labelling: { state: true },
    removing: { state: true },
    activity: { state: true },
  };

  declare sites: Site[] | null;
  declare health: Record<string, Health>;
  declare notice: string | null;
  declare adding: boolean;
  declare editing: string | null;
  /** An EC2 region's site whose labels are being edited (its other settings are its account's). */
  declare labelling: string | null;
  declare removing: string | null;
  /** The site whose activity charts show below the list. */
  declare activity: string | null;

  constructor() {
    super();
    this.sites = null;
    this.health = {};
    this.notice = null;
    this.adding = false;
    this.editing = null;
    this.labelling = null;
    this.removing = null;
    this.activity = null;
  }

  protected eventArrived(event: GlintEvent): void {
    // Inventories (cells events without images) change the sites' last inventory time.
    if (event.type === 'cells' && !event.imageIds) void this.load();
  }

  protected override async firstLoad() {
    await this.load();
    this.checkHealth();
  }

  protected async load() {
    try {
      this.sites = (await this.client.get<{ sites: Site[] }>('/sites')).sites;
    } catch (error) {
      this.fail(error);
    }
  }

  private checkHealth(ids = (this.sites ?? []).map((site) => site.id)) {
    for (const id of ids) {
      this.health = { ...this.health, [id]: 'checking' };
      this.client
        .get<SiteHealth>(`/sites/${id}/health`)
        .then(
          (health) => health,
          (error: unknown) => ({ error: failureText(this, error) ?? 'session ended' }),
        )
        .then((health) => (this.health = { ...this.health, [id]: health }));
    }
  }

  /** Other views (the matrix's columns) read their sites again. */
  private announce(siteIds: string[]) {
    this.events.dispatchEvent(
      new CustomEvent<GlintEvent>('glint-event', { detail: { type: 'cells', siteIds } }),
    );
  }

  private async refreshInventories() {
    try {
      const { queued } = await this.client.post<{ queued: unknown[] }>('/sites/refresh');
      this.notice = `Inventory queued for ${queued.length} site${queued.length === 1 ? '' : 's'}.`;
    } catch (error) {
      this.fail(error);
    }
  }

  /** New sites: their health checked, the other views told, their first inventories queued. */
  private async sitesArrived(ids: string[]) {
    this.checkHealth(ids);
    this.announce(ids);
    try {
      for (const id of ids) await this.client.post(`/sites/${id}/refresh`);
    } catch (error) {
      this.fail(error);
    }
  }

  private async siteAdded(event: CustomEvent<Site & { warnings?: string[] }>) {
    const site = event.detail;
    this.sites = [...(this.sites ?? []), site].sort((a, b) => a.name.localeCompare(b.name));
    this.adding = false;
    const warnings = site.warnings?.length ? ` Notes on the file: ${site.warnings.join('; ')}` : '';
    this.notice = `Added ${site.name}; its inventory is queued.${warnings}`;
    await this.sitesArrived([site.id]);
  }

  private async accountAdded(event: CustomEvent<Account>) {
    const account = event.detail;
    this.adding = false;
    this.notice = `Added the EC2 account ${account.name} with ${regionWords(account)}; their inventories are queued.`;
    await this.load();
    await this.sitesArrived(account.regions.map((r) => r.siteId));
  }

  private async accountChanged(event: CustomEvent<Account | null>) {
    const account = event.detail;
    this.editing = null;
    if (!account) return;
    const before = new Set((this.sites ?? []).map((s) => s.id));
    const gone = (this.sites ?? []).filter(
      (s) => s.account?.id === account.id && !account.regions.some((r) => r.siteId === s.id),
    );
    this.notice = `Saved ${account.name}: ${regionWords(account)}.`;
    await this.load();
    this.announce(gone.map((s) => s.id));
    await this.sitesArrived(
      account.regions.filter((r) => !before.has(r.siteId)).map((r) => r.siteId),
    );
    this.checkHealth(account.regions.filter((r) => before.has(r.siteId)).map((r) => r.siteId));
  }

  private siteChanged(event: CustomEvent<Site>) {
    const site = event.detail;
    this.sites = (this.sites ?? []).map((s) => (s.id === site.id ? site : s));
    this.editing = null;
    this.labelling = null;
    this.notice = `Saved ${site.name}.`;
    this.checkHealth([site.id]);
    this.announce([site.id]);
  }

  private async removeSite(site: Site) {
    try {
      await this.client.delete(`/sites/${site.id}`);
      this.sites = (this.sites ?? []).filter((s) => s.id !== site.id);
      this.removing = null;
      this.notice = `Removed ${site.name}. Its images on the cloud stay.`;
      this.announce([site.id]);
    } catch (error) {
      this.fail(error);
    }
  }

  /** The sites of the account `site` is a region of. */
  private regionsOf(site: Site): Site[] {
    return (this.sites ?? []).filter((s) => s.account && s.account.id === site.account?.id);
  }

  private async removeAccount(site: Site) {
    const account = site.account!;
    try {
      await this.client.delete(`/accounts/${account.id}`);
      const removed = this.regionsOf(site).map((s) => s.id);
      this.sites = (this.sites ?? []).filter((s) => !removed.includes(s.id));
      this.removing = null;
      this.notice = `Removed the EC2 account ${account.name} and its regions. Its AMIs in AWS stay.`;
      this.announce(removed);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Disables one region of an account: the account keeps the others. */
  private async disableRegion(site: Site) {
    const account = site.account!;
    const regions = this.regionsOf(site)
      .filter((s) => s.id !== site.id)
      .map((s) => s.config.region);
    try {
      await this.client.patch(`/accounts/${account.id}`, { regions });
      this.sites = (this.sites ?? []).filter((s) => s.id !== site.id);
      this.removing = null;
      this.notice = `Disabled ${site.config.region} of ${account.name}. Its AMIs in AWS stay.`;
      this.announce([site.id]);
    } catch (error) {
      this.fail(error);
    }
  }

  private renderHealth(site: Site) {
    const health = this.health[site.id];
    if (!health || health === 'checking') return html`<span class="health">checking…</span>`;
    if ('error' in health)
      return html`<span class="health bad"><b>✕ unknown</b> <small>${health.error}</small></span>`;
    return health.ok
      ? html`<span class="health ok" title=${health.detail}
          ><b>✓ ok</b> <small>${health.latencyMs} ms</small></span
        >`
      : html`<span class="health bad"><b>✕ failing</b> <small>${health.detail}</small></span>`;
  }

  private renderRow(site: Site) {
    if (this.labelling === site.id)
      return html`<tr class="editing">
        <td colspan="8">
          <glint-site-labels
            .client=${this.client}
            .site=${site}
            @site-changed=${this.siteChanged}
            @edit-cancelled=${() => (this.labelling = null)}
          ></glint-site-labels>
        </td>
      </tr>`;
    if (this.editing === site.id && site.account)
      return html`<tr class="editing">
        <td colspan="8">
          <glint-account-edit
            .client=${this.client}
            .account=${site.account}
            .accessKeyId=${site.credential?.accessKeyId ?? ''}
            @account-changed=${this.accountChanged}
            @edit-cancelled=${() => (this.editing = null)}
          ></glint-account-edit>
        </td>
      </tr>`;
    if (this.editing === site.id)
      return html`<tr class="editing">
        <td colspan="8">
          <glint-site-edit
            .client=${this.client}
            .site=${site}
            @site-changed=${this.siteChanged}
            @edit-cancelled=${() => (this.editing = null)}
          ></glint-site-edit>
        </td>
      </tr>`;
    return html`<tr data-site=${site.name}>
        <th scope="row">
          <button
            class="link activity"
            aria-expanded=${this.activity === site.id ? 'true' : 'false'}
            title="Throughput, jobs and inventories of the last day"
            @click=${() => (this.activity = this.activity === site.id ? null : site.id)}
          >
            ${site.name}
          </button>
          ${labelChips(site.labels)}
        </th>
        <td>
          ${site.type}
          ${site.account ? html`<small class="account">account ${site.account.name}</small>` : nothing}
        </td>
        <td>${site.config.region ?? '—'}</td>
        <td>${site.credential?.login ?? 'no credential'}</td>
        <td>${when(site.inventoriedAt)}</td>
        <td>${selfHealWords[site.selfHeal]}</td>
        <td>${this.renderHealth(site)}</td>
        <td class="actions">${this.renderActions(site)}</td>
      </tr>
      ${this.removing === site.id && site.account ? this.renderRemoveAccount(site) : nothing}
      ${
        this.removing === site.id && !site.account
          ? html`<tr class="confirm">
              <td colspan="8" role="alert">
                <div class="confirm-text">
                  Remove <b>${site.name}</b> with its credential, inventory and desired state? The
                  images on the cloud stay; the job history stays.
                  <button class="confirm-remove danger" @click=${() => this.removeSite(site)}>
                    Remove ${site.name}
                  </button>
                  <button @click=${() => (this.removing = null)}>Keep it</button>
                </div>
              </td>
            </tr>`
          : nothing
      }`;
  }

  /** Edit and Remove, for the roles that may change sites. */
  private renderActions(site: Site) {
    const refused = refusal(this.role, 'sites');
    return html`${
        site.account
          ? html`<button
              class="labels"
              ?disabled=${refusal(this.role, 'labels') !== undefined}
              title=${refusal(this.role, 'labels') ?? `The labels of ${site.name}`}
              @click=${() => (this.labelling = site.id)}
            >
              Labels
            </button>`
          : nothing
      }<button
        class="edit"
        ?disabled=${refused !== undefined}
        title=${ifDefined(refused)}
        @click=${() => (this.editing = site.id)}
      >
        Edit
      </button>
      <button
        class="remove"
        ?disabled=${refused !== undefined}
        title=${ifDefined(refused)}
        @click=${() => (this.removing = site.id)}
      >
        Remove
      </button>`;
  }

  /** Removing a region's site: the whole account, or only this region while others stay. */
  private renderRemoveAccount(site: Site) {
    const account = site.account!;
    const regions = this.regionsOf(site);
    return html`<tr class="confirm">
      <td colspan="8" role="alert">
        <div class="confirm-text">
          <b>${site.name}</b> is a region of the EC2 account <b>${account.name}</b>. Remove the
          account with its ${regions.length === 1 ? 'region' : `${regions.length} regions`}
          (${regions.map((s) => s.config.region).join(', ')}), their inventory and desired state?
          The AMIs in AWS stay; the job history stays.
          <button class="confirm-remove danger" @click=${() => this.removeAccount(site)}>
            Remove account ${account.name}
          </button>
          ${
            regions.length > 1
              ? html`<button class="disable-region" @click=${() => this.disableRegion(site)}>
                  Disable only ${site.config.region}
                </button>`
              : nothing
          }
          <button @click=${() => (this.removing = null)}>Keep it</button>
        </div>
      </td>
    </tr>`;
  }

  override render() {
    const addRefused = refusal(this.role, 'sites');
    const refreshRefused = refusal(this.role, 'inventory');
    return html`<div class="toolbar">
        <h2>Sites</h2>
        <button
          class="add primary"
          ?disabled=${addRefused !== undefined}
          title=${ifDefined(addRefused)}
          @click=${() => (this.adding = !this.adding)}
        >
          ${this.adding ? 'Close' : 'Add site'}
        </button>
        <button class="health-check" @click=${() => this.checkHealth()}>Check health</button>
        <button
          class="refresh"
          ?disabled=${refreshRefused !== undefined}
          title=${ifDefined(refreshRefused)}
          @click=${this.refreshInventories}
        >
          Refresh inventories
        </button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
      ${
        this.adding
          ? html`<glint-add-site
              .client=${this.client}
              @site-added=${this.siteAdded}
              @account-added=${this.accountAdded}
            ></glint-add-site>`
          : nothing
      }
      ${
        this.sites === null
          ? html`<p>Loading…</p>`
          : this.sites.length === 0
            ? html`<p class="empty">No sites yet: add one to start.</p>`
            : dataTable(
                [
                  'Name',
                  'Type',
                  'Region',
                  'Logs in as',
                  'Last inventory',
                  'Self-heal',
                  'Health',
                  '',
                ],
                this.sites.map((site) => this.renderRow(site)),
              )
      }
      ${this.renderActivity()}`;
  }

  private renderActivity() {
    const site = this.sites?.find((s) => s.id === this.activity);
    return site
      ? html`<glint-site-activity
          .client=${this.client}
          .events=${this.events}
          .site=${site}
        ></glint-site-activity>`
      : nothing;
  }
}

/** An account's enabled regions, in words. */
const regionWords = (account: Account) =>
  `region${account.regions.length === 1 ? '' : 's'} ${account.regions.map((r) => r.region).join(', ')}`;
