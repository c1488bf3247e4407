import type { ImageSelector, SiteSelector } from '@glint/core';
import type { Queryable } from './queryable';

/** What a rule says, as it is written and previewed. */
export interface RuleDefinition {
  description: string;
  images: ImageSelector;
  sites: SiteSelector;
  /** Deletes the copies it placed once it no longer implies them. */
  prune: boolean;
}

/** A project's standing rule as stored. */
export interface RuleRecord extends RuleDefinition {
  name: string;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The unique constraint that keeps rule names distinct per project. */
export const ruleNameConstraint = 'rules_name_per_owner';

const selectRules = `
  SELECT name, description, images, sites, prune, created_by AS "createdBy",
         updated_by AS "updatedBy", to_jsonb(created_at) #>> '{}' AS "createdAt",
         to_jsonb(updated_at) #>> '{}' AS "updatedAt"
  FROM rules`;

export function rulesRepository(db: Queryable) {
  return {
    async list(ownerId: string): Promise<RuleRecord[]> {
      const { rows } = await db.query<RuleRecord>(
        `${selectRules} WHERE owner_id = $1 ORDER BY name`,
        [ownerId],
      );
      return rows;
    },

    async find(ownerId: string, name: string): Promise<RuleRecord | undefined> {
      const { rows } = await db.query<RuleRecord>(
        `${selectRules} WHERE owner_id = $1 AND name = $2`,
        [ownerId, name],
      );
      return rows[0];
    },

    /** Creates or replaces the rule; true when it is new. */
    async upsert(
      ownerId: string,
      actorId: string | null,
      name: string,
      rule: RuleDefinition,
    ): Promise<boolean> {
      const { rows } = await db.query<{ created: boolean }>(
        `INSERT INTO rules (owner_id, name, description, images, sites, prune, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT ON CONSTRAINT rules_name_per_owner DO UPDATE SET
           description = EXCLUDED.description, images = EXCLUDED.images, sites = EXCLUDED.sites,
           prune = EXCLUDED.prune, updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING xmax = 0 AS created`,
        [
          ownerId,
          name,
          rule.description,
          JSON.stringify(rule.images),
          JSON.stringify(rule.sites),
          rule.prune,
          actorId,
        ],
      );
      return rows[0]!.created;
    },

    async remove(ownerId: string, name: string): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM rules WHERE owner_id = $1 AND name = $2', [
        ownerId,
        name,
      ]);
      return rowCount !== 0;
    },
  };
}

export type RulesRepository = ReturnType<typeof rulesRepository>;
