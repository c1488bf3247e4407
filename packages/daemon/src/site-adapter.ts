import type { SiteType } from '@glint/core';
import { createAdapter, type AdapterContext, type CloudAdapter } from '@glint/cloud-adapters';
import type { CredentialVault, Repositories } from '@glint/store';
import { SiteGoneError } from './site-gone-error';
import { leaseAdapter } from './site-lease';

interface Pooled {
  adapter: CloudAdapter;
  users: number;
  idle?: NodeJS.Timeout;
}

/**
 * The owners' site adapters, kept open between jobs: a daemon then logs in to a site's Keystone
 * once per token rather than once per job, which is most of a small job's cost and load the
 * site's operators would notice. An adapter is shared by the jobs that use the site at the same
 * time (its session renews the token once for all of them) and closed after `idleMs` unused.
 * Adapters are keyed by the site's and the credential's versions, so a changed site or credential
 * is used by the next job that opens it.
 */
export class SiteAdapters {
  private readonly pool = new Map<string, Pooled>();

  constructor(
    private readonly repositories: Repositories,
    private readonly vault: CredentialVault,
    /** Where the adapters may connect (GLINT_OUTBOUND_ALLOW), and where they convert images. */
    private readonly context: AdapterContext,
    private readonly idleMs = 60_000,
  ) {}

  /** An adapter for the owner's site, logged in with the stored credential. Close it when done. */
  async open(ownerId: string, siteId: string): Promise<CloudAdapter> {
    const site = await this.repositories.sites.find(ownerId, siteId);
    const stored = site && (await this.vault.find(this.repositories, { ownerId, siteId }));
    if (!site || !stored) throw new SiteGoneError(siteId);
    const key = `${ownerId}/${siteId}/${site.updatedAt}/${stored.version}`;
    let pooled = this.pool.get(key);
    if (!pooled) {
      const credential = stored.open();
      const config = { ...site.config, type: site.type };
      const adapter = createAdapter(site.type as SiteType, config, credential, this.context);
      pooled = { adapter, users: 0 };
      this.pool.set(key, pooled);
    }
    clearTimeout(pooled.idle);
    pooled.users++;
    return leaseAdapter(siteId, pooled.adapter, () => this.release(key));
  }

  /** Closes every adapter; those in use must have been released. */
  async close(): Promise<void> {
    const all = [...this.pool.values()];
    this.pool.clear();
    for (const pooled of all) clearTimeout(pooled.idle);
    await Promise.all(all.map((pooled) => pooled.adapter.close()));
  }

  private release(key: string): void {
    const pooled = this.pool.get(key);
    if (!pooled || --pooled.users > 0) return;
    pooled.idle = setTimeout(() => {
      this.pool.delete(key);
      void pooled.adapter.close().catch(() => undefined);
    }, this.idleMs);
    pooled.idle.unref();
  }
}
