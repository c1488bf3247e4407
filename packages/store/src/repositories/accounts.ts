import type { SiteConfig } from './sites';
import type { Queryable } from './queryable';

/** The kinds of account that group sites; an EC2 account groups its enabled regions. */
export type AccountType = 'ec2';

/** One of an account's sites: the region it stands for. */
export interface AccountSite {
  siteId: string;
  region: string;
  name: string;
}

/** An account as stored: its shared settings and the sites (regions) it has enabled. */
export interface AccountRecord {
  id: string;
  type: AccountType;
  name: string;
  /** Account-wide settings, copied into each of its sites' configuration; never a secret. */
  config: SiteConfig;
  sites: AccountSite[];
  createdAt: string;
  updatedAt: string;
}

const selectAccounts = `
  SELECT a.id, a.type, a.name, a.config,
         coalesce((SELECT jsonb_agg(jsonb_build_object('siteId', s.id, 'region', s.config->>'region', 'name', s.name)
                                    ORDER BY s.config->>'region')
                   FROM sites s WHERE s.owner_id = a.owner_id AND s.account_id = a.id), '[]') AS sites,
         to_jsonb(a.created_at) #>> '{}' AS "createdAt", to_jsonb(a.updated_at) #>> '{}' AS "updatedAt"
  FROM accounts a`;

/** The unique index that keeps account names distinct per owner. */
export const accountNameConstraint = 'accounts_name_per_owner';

export function accountsRepository(db: Queryable) {
  return {
    async list(ownerId: string): Promise<AccountRecord[]> {
      const { rows } = await db.query<AccountRecord>(
        `${selectAccounts} WHERE a.owner_id = $1 ORDER BY lower(a.name)`,
        [ownerId],
      );
      return rows;
    },

    async find(ownerId: string, id: string): Promise<AccountRecord | undefined> {
      const { rows } = await db.query<AccountRecord>(
        `${selectAccounts} WHERE a.owner_id = $1 AND a.id = $2`,
        [ownerId, id],
      );
      return rows[0];
    },

    /** Whether another of the owner's accounts has this name, in any letter case. */
    async nameTaken(ownerId: string, name: string, exceptId?: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'SELECT 1 FROM accounts WHERE owner_id = $1 AND lower(name) = lower($2) AND id IS DISTINCT FROM $3',
        [ownerId, name, exceptId ?? null],
      );
      return rowCount !== 0;
    },

    async insert(
      ownerId: string,
      account: { type: AccountType; name: string; config: SiteConfig },
    ): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        'INSERT INTO accounts (owner_id, type, name, config) VALUES ($1, $2, $3, $4) RETURNING id',
        [ownerId, account.type, account.name, account.config],
      );
      return rows[0]!.id;
    },

    async update(
      ownerId: string,
      id: string,
      changes: { name?: string; config?: SiteConfig },
    ): Promise<void> {
      await db.query(
        `UPDATE accounts SET name = coalesce($3, name), config = coalesce($4, config), updated_at = now()
         WHERE owner_id = $1 AND id = $2`,
        [ownerId, id, changes.name ?? null, changes.config ?? null],
      );
    },

    /** Deletes the account and, through the schema's cascades, its sites and all that hangs on them. */
    async remove(ownerId: string, id: string): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM accounts WHERE owner_id = $1 AND id = $2', [
        ownerId,
        id,
      ]);
      return rowCount !== 0;
    },
  };
}

export type AccountsRepository = ReturnType<typeof accountsRepository>;
