import type { SelectableSite } from '@glint/core';
import type { Queryable } from './queryable';
import type { RuleDefinition } from './rules';

/** A site as rules select it, with its name for plans. */
export interface RuleSite extends SelectableSite {
  name: string;
}

/**
 * A logical image as rules select it: each distinct set of properties its copies carry (any of
 * them may match; none read means no properties), and the sites holding a copy of it.
 */
export interface RuleImage {
  id: string;
  name: string;
  variants: Record<string, string>[];
  /** Sites holding an active copy. */
  active: string[];
  /** Sites holding a copy in any state. */
  held: string[];
}

/** A recorded desired state, by whom it was decided. */
export interface DecidedCell {
  imageId: string;
  siteId: string;
  wanted: boolean;
  source: 'hand' | 'rule';
  /** The rule implying the cell at the last evaluation; on a hand row, the rule it overrides. */
  rule: string | null;
}

/** Everything evaluating a project's rules needs, read in a handful of set-based queries. */
export interface RuleFacts {
  rules: (RuleDefinition & { name: string })[];
  sites: RuleSite[];
  images: RuleImage[];
  placements: DecidedCell[];
}

/** What an evaluation changes in the placements: rows of the rules, and rule names on hand rows. */
export interface RuleWrites {
  /** Rule rows to create or change. */
  upserts: { imageId: string; siteId: string; wanted: boolean; rule: string }[];
  /** Rule rows no rule wants any more (or pruned, their copy gone). */
  removals: { imageId: string; siteId: string }[];
  /** Hand rows whose overridden rule changed. */
  handRules: { imageId: string; siteId: string; rule: string | null }[];
}

/**
 * The owner's logical images with the sites holding them, and, when `withProperties`, the distinct
 * property sets of their copies; the copies are read as plain rows and grouped here, which is
 * cheaper than aggregating them in PostgreSQL.
 */
async function imagesOf(
  db: Queryable,
  ownerId: string,
  withProperties: boolean,
): Promise<RuleImage[]> {
  const images = new Map<string, RuleImage>();
  // An image the sites hold only hidden, and Glint did not make, is kept out of sight on purpose:
  // no rule copies it (a copy would be visible) or prunes it. Inventories list hidden images too.
  const named = await db.query<{ id: string; name: string }>(
    `SELECT id, name FROM images i WHERE owner_id = $1
       AND NOT (EXISTS (SELECT 1 FROM site_images s WHERE s.owner_id = $1 AND s.image_id = i.id)
                AND NOT EXISTS (
                  SELECT 1 FROM site_images s WHERE s.owner_id = $1 AND s.image_id = i.id
                    AND (NOT s.hidden OR s.glint_content_hash IS NOT NULL
                         OR s.glint_source_site IS NOT NULL)))`,
    [ownerId],
  );
  for (const { id, name } of named.rows)
    images.set(id, { id, name, variants: [], active: [], held: [] });
  const copies = await db.query<[string, string, boolean]>({
    text: `SELECT image_id, site_id, status = 'active' FROM site_images
           WHERE owner_id = $1 AND image_id IS NOT NULL`,
    values: [ownerId],
    rowMode: 'array',
  });
  for (const [imageId, siteId, active] of copies.rows) {
    const image = images.get(imageId);
    image?.held.push(siteId);
    if (active) image?.active.push(siteId);
  }
  if (!withProperties) return [...images.values()];
  const variants = await db.query<[string, Record<string, string>]>({
    text: `SELECT DISTINCT image_id, properties FROM site_images
           WHERE owner_id = $1 AND image_id IS NOT NULL AND properties <> '{}'`,
    values: [ownerId],
    rowMode: 'array',
  });
  for (const [imageId, properties] of variants.rows) images.get(imageId)?.variants.push(properties);
  return [...images.values()];
}

const cells = (parameter: string, columns: string) =>
  `jsonb_to_recordset(${parameter}::jsonb) AS x ("imageId" uuid, "siteId" uuid${columns})`;

export function rulePlacementsRepository(db: Queryable) {
  return {
    /**
     * The facts, in plain rows (tens of thousands of cells): `ruleRows` false leaves out the rules'
     * own placement rows, which only an evaluation needs, since a rule's plan needs the hand rows
     * alone. Copies' properties are read only when a rule (or `extra`, a rule being previewed)
     * selects images by them.
     */
    async facts(
      ownerId: string,
      options: { ruleRows?: boolean; extra?: Pick<RuleDefinition, 'images'> } = {},
    ): Promise<RuleFacts> {
      // One after another: inside a transaction they share one connection.
      const rules = await db.query<RuleFacts['rules'][number]>(
        'SELECT name, description, images, sites, prune FROM rules WHERE owner_id = $1 ORDER BY name',
        [ownerId],
      );
      const sites = await db.query<RuleSite>(
        `SELECT id, name, type, config->>'region' AS region, labels FROM sites WHERE owner_id = $1`,
        [ownerId],
      );
      const byProperties = [...rules.rows, ...(options.extra ? [options.extra] : [])].some(
        (rule) => rule.images.properties !== undefined,
      );
      const images = await imagesOf(db, ownerId, byProperties);
      const placements = await db.query<DecidedCell>(
        `SELECT image_id AS "imageId", site_id AS "siteId", wanted, source, rule
         FROM placements WHERE owner_id = $1 AND ($2 OR source = 'hand')`,
        [ownerId, options.ruleRows ?? true],
      );
      return { rules: rules.rows, sites: sites.rows, images, placements: placements.rows };
    },

    /**
     * Turns the rule's wanted rows unwanted: a rule removed with prune takes its copies with it,
     * except where another rule or a hand tick wants them (the next evaluation says so).
     */
    async unwantRule(ownerId: string, name: string): Promise<void> {
      await db.query(
        `UPDATE placements SET wanted = false, requested_at = now()
         WHERE owner_id = $1 AND source = 'rule' AND rule = $2 AND wanted`,
        [ownerId, name],
      );
    },

    /** Writes an evaluation's changes; hand rows are never turned into rule rows. */
    async write(ownerId: string, writes: RuleWrites): Promise<void> {
      if (writes.upserts.length > 0)
        await db.query(
          `INSERT INTO placements (owner_id, image_id, site_id, wanted, source, rule)
           SELECT $1, x."imageId", x."siteId", x.wanted, 'rule', x.rule
           FROM ${cells('$2', ', wanted boolean, rule text')}
           ON CONFLICT (owner_id, image_id, site_id) DO UPDATE SET
             wanted = EXCLUDED.wanted, rule = EXCLUDED.rule, requested_by = NULL, requested_at = now()
           WHERE placements.source = 'rule'`,
          [ownerId, JSON.stringify(writes.upserts)],
        );
      if (writes.removals.length > 0)
        await db.query(
          `DELETE FROM placements p USING ${cells('$2', '')}
           WHERE p.owner_id = $1 AND p.image_id = x."imageId" AND p.site_id = x."siteId" AND p.source = 'rule'`,
          [ownerId, JSON.stringify(writes.removals)],
        );
      if (writes.handRules.length > 0)
        await db.query(
          `UPDATE placements p SET rule = x.rule FROM ${cells('$2', ', rule text')}
           WHERE p.owner_id = $1 AND p.image_id = x."imageId" AND p.site_id = x."siteId" AND p.source = 'hand'`,
          [ownerId, JSON.stringify(writes.handRules)],
        );
    },
  };
}

export type RulePlacementsRepository = ReturnType<typeof rulePlacementsRepository>;
