import type { SiteType } from '@glint/core';
import type { Queryable } from './queryable';

/** A site's configuration in its type's terms, as stored: everything but the credential. */
export type SiteConfig = Record<string, unknown>;

/**
 * What the reconciler may do on its own where a cell drifted from the desired state: only show it,
 * restore wanted copies, or also delete unwanted ones.
 */
export type SelfHeal = 'off' | 'restore' | 'restore-and-prune';

/** A site as the API shows it: the credential only as who logs in and when that last worked. */
export interface SiteRecord {
  id: string;
  type: SiteType;
  name: string;
  config: SiteConfig;
  selfHeal: SelfHeal;
  /** Key → value, for standing rules' site selectors and the matrix's column filter. */
  labels: Record<string, string>;
  /** When the last inventory of the site finished; null before the first. */
  inventoriedAt: string | null;
  credential: ({ kind: string; validatedAt: string } & Record<string, unknown>) | null;
  /** The account the site is a region of, when it is one. */
  account: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
}

// Timestamps as ISO 8601 text, as the API gives them.
const selectSites = `
  SELECT s.id, s.type, s.name, s.config, s.self_heal AS "selfHeal", s.labels,
         to_jsonb(s.inventoried_at) #>> '{}' AS "inventoriedAt", to_jsonb(s.created_at) #>> '{}' AS "createdAt",
         to_jsonb(s.updated_at) #>> '{}' AS "updatedAt",
         CASE WHEN c.id IS NULL THEN NULL
              ELSE c.principal || jsonb_build_object('kind', c.kind, 'validatedAt', c.validated_at) END AS credential,
         CASE WHEN a.id IS NULL THEN NULL ELSE jsonb_build_object('id', a.id, 'name', a.name) END AS account
  FROM sites s
  LEFT JOIN credentials c ON c.owner_id = s.owner_id AND c.site_id = s.id
  LEFT JOIN accounts a ON a.owner_id = s.owner_id AND a.id = s.account_id`;

/** The unique index that keeps site names distinct per owner. */
export const siteNameConstraint = 'sites_name_per_owner';

export function sitesRepository(db: Queryable) {
  return {
    async list(ownerId: string): Promise<SiteRecord[]> {
      const { rows } = await db.query<SiteRecord>(
        `${selectSites} WHERE s.owner_id = $1 ORDER BY lower(s.name)`,
        [ownerId],
      );
      return rows;
    },

    /** Every project's sites, with their owners, for admins. */
    async listAll(): Promise<(SiteRecord & { ownerId: string })[]> {
      const { rows } = await db.query<SiteRecord & { ownerId: string }>(
        `${selectSites.replace('SELECT ', 'SELECT s.owner_id AS "ownerId", ')} ORDER BY lower(s.name), s.id`,
      );
      return rows;
    },

    async find(ownerId: string, id: string): Promise<SiteRecord | undefined> {
      const { rows } = await db.query<SiteRecord>(
        `${selectSites} WHERE s.owner_id = $1 AND s.id = $2`,
        [ownerId, id],
      );
      return rows[0];
    },

    /** Whether another of the owner's sites has this name, in any letter case. */
    async nameTaken(ownerId: string, name: string, exceptId?: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'SELECT 1 FROM sites WHERE owner_id = $1 AND lower(name) = lower($2) AND id IS DISTINCT FROM $3',
        [ownerId, name, exceptId ?? null],
      );
      return rowCount !== 0;
    },

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
