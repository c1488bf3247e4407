import type { Queryable } from './queryable';
import {
  familyValues,
  selectFamilies,
  type FamilyInput,
  type FamilyRecord,
} from './releases/records';
import { channelQueries } from './releases/channels';
import { rolloutReads, stageQueries } from './releases/rollout';
import { versionQueries } from './releases/versions';

export type {
  ChannelRecord,
  CopyAttempt,
  FamilyInput,
  FamilyRecord,
  RolloutFacts,
  RolloutSite,
  VersionCopy,
  VersionRecord,
  VersionSite,
} from './releases/records';

/** The unique constraint that keeps family names distinct per project. */
export const familyNameConstraint = 'release_families_name';
/** The unique constraints that keep a family's versions distinct by string and by image. */
export const versionConstraints = {
  version: 'release_versions_version',
  image: 'release_versions_image',
} as const;

export function releasesRepository(db: Queryable) {
  return {
    async createFamily(ownerId: string, input: FamilyInput): Promise<FamilyRecord> {
      const { columns, values } = familyValues(input);
      const names = columns.map((c) => c.split('::')[0]);
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO release_families (owner_id, name, ${names.join(', ')})
         VALUES ($1, $2, ${columns.map((c, i) => `$${i + 3}::${c.split('::')[1]}`).join(', ')})
         RETURNING id`,
        [ownerId, input.name, ...values],
      );
      return (await this.family(ownerId, rows[0]!.id))!;
    },

    /** Changes what `changes` gives; undefined when the project has no such family. */
    async updateFamily(
      ownerId: string,
      id: string,
      changes: Partial<Omit<FamilyInput, 'name'>>,
    ): Promise<FamilyRecord | undefined> {
      const { columns, values } = familyValues(changes);
      const sets = columns.map((c, i) => `${c.split('::')[0]} = $${i + 3}::${c.split('::')[1]}`);
      await db.query(
        `UPDATE release_families SET ${[...sets, 'updated_at = now()'].join(', ')}
         WHERE owner_id = $1 AND id = $2`,
        [ownerId, id, ...values],
      );
      return this.family(ownerId, id);
    },

    async removeFamily(ownerId: string, id: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'DELETE FROM release_families WHERE owner_id = $1 AND id = $2',
        [ownerId, id],
      );
      return (rowCount ?? 0) > 0;
    },

    /** The family by id or by name. */
    async family(ownerId: string, idOrName: string): Promise<FamilyRecord | undefined> {
      const { rows } = await db.query<FamilyRecord>(
        `${selectFamilies} WHERE owner_id = $1 AND (id::text = $2 OR name = $2)`,
        [ownerId, idOrName],
      );
      return rows[0];
    },

    async families(ownerId: string): Promise<FamilyRecord[]> {
      const { rows } = await db.query<FamilyRecord>(
        `${selectFamilies} WHERE owner_id = $1 ORDER BY name`,
        [ownerId],
      );
      return rows;
    },

    /** Every project's families, for the daemon's schedule. */
    async allFamilies(): Promise<{ ownerId: string; familyId: string }[]> {
      const { rows } = await db.query<{ ownerId: string; familyId: string }>(
        'SELECT owner_id AS "ownerId", id AS "familyId" FROM release_families ORDER BY id',
      );
      return rows;
    },

    /** Serialises the steps of one family's rollout until the transaction ends. */
    async lockFamily(familyId: string): Promise<void> {
      await db.query("SELECT pg_advisory_xact_lock(hashtextextended('release:' || $1, 0))", [
        familyId,
      ]);
    },

    ...versionQueries(db),
    ...channelQueries(db),
    ...stageQueries(db),
    ...rolloutReads(db),
  };
}

export type ReleasesRepository = ReturnType<typeof releasesRepository>;
