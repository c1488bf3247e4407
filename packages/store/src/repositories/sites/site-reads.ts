import type { Queryable } from '../queryable';
import type { SiteRecord } from './site-record';

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

/** The owner's sites as the API shows them, and whether a name is taken. */
export function siteReads(db: Queryable) {
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
  };
}
