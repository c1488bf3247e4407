import type { SiteType } from '@glint/core';
import type { Queryable } from './queryable';
import { siteReads } from './sites/site-reads';
import type { SelfHeal, SiteConfig } from './sites/site-record';

export type { SelfHeal, SiteConfig, SiteRecord } from './sites/site-record';

/** The unique index that keeps site names distinct per owner. */
export const siteNameConstraint = 'sites_name_per_owner';

export function sitesRepository(db: Queryable) {
  return {
    ...siteReads(db),

    async insert(
      ownerId: string,
      site: {
        type: SiteType;
        name: string;
        config: SiteConfig;
        accountId?: string;
        labels?: Record<string, string>;
      },
    ): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO sites (owner_id, type, name, config, account_id, labels)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          ownerId,
          site.type,
          site.name,
          site.config,
          site.accountId ?? null,
          JSON.stringify(site.labels ?? {}),
        ],
      );
      return rows[0]!.id;
    },

    async update(
      ownerId: string,
      id: string,
      changes: {
        name?: string;
        config?: SiteConfig;
        selfHeal?: SelfHeal;
        /** Replaces the whole label map. */
        labels?: Record<string, string>;
      },
    ): Promise<void> {
      await db.query(
        `UPDATE sites SET name = coalesce($3, name), config = coalesce($4, config),
           self_heal = coalesce($5, self_heal), labels = coalesce($6, labels), updated_at = now()
         WHERE owner_id = $1 AND id = $2`,
        [
          ownerId,
          id,
          changes.name ?? null,
          changes.config ?? null,
          changes.selfHeal ?? null,
          changes.labels ? JSON.stringify(changes.labels) : null,
        ],
      );
    },

    /** Deletes the site and, through the schema's cascades, its credential, inventory and placements. */
    async remove(ownerId: string, id: string): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM sites WHERE owner_id = $1 AND id = $2', [
        ownerId,
        id,
      ]);
      return rowCount !== 0;
    },
  };
}

export type SitesRepository = ReturnType<typeof sitesRepository>;
