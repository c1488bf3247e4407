import type { Queryable } from '../queryable';
import { selectVersions, type VersionRecord } from './records';

type UpdatableField = 'wave' | 'waveDoneAt' | 'promotedWave' | 'haltedReason' | 'retiredAt';

/** The rollout state updateVersion may change, and the column each is kept in. */
const updatableColumns: Record<UpdatableField, string> = {
  wave: 'wave',
  waveDoneAt: 'wave_done_at',
  promotedWave: 'promoted_wave',
  haltedReason: 'halted_reason',
  retiredAt: 'retired_at',
};

/** A family's versions and their rollout state. */
export function versionQueries(db: Queryable) {
  return {
    async insertVersion(
      ownerId: string,
      version: {
        familyId: string;
        version: string;
        imageId: string;
        provenance: Record<string, string>;
        publishedBy: string | null;
      },
    ): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO release_versions (owner_id, family_id, version, image_id, provenance, published_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          ownerId,
          version.familyId,
          version.version,
          version.imageId,
          version.provenance,
          version.publishedBy,
        ],
      );
      return rows[0]!.id;
    },

    /** The family's versions, newest first. */
    async versions(ownerId: string, familyId: string): Promise<VersionRecord[]> {
      const { rows } = await db.query<VersionRecord>(
        `${selectVersions} WHERE v.owner_id = $1 AND v.family_id = $2
         ORDER BY v.published_at DESC, v.id DESC`,
        [ownerId, familyId],
      );
      return rows;
    },

    /**
     * Whether the version is there and not halted, read with its row locked until the transaction
     * ends. A halt is an update of that row: it waits for the transaction to commit, or the lock
     * waits for the halt's commit and this reads the halt. Either way a halt and what the
     * transaction writes meanwhile are ordered, see the rollout's copy step.
     */
    async lockUnhalted(ownerId: string, versionId: string): Promise<boolean> {
      // FOR SHARE is enough: it conflicts with an update, not with other steps' locks.
      const { rows } = await db.query<{ halted: boolean }>(
        `SELECT halted_reason IS NOT NULL AS halted FROM release_versions
         WHERE owner_id = $1 AND id = $2 FOR SHARE`,
        [ownerId, versionId],
      );
      return rows[0]?.halted === false;
    },

    /**
     * Changes the version's rollout state; what `changes` leaves out stays. `resumed` stamps the
     * resume with the database's clock, the clock copy attempts are stamped with, so comparing the
     * two never depends on how far the API host's clock is off.
     */
    async updateVersion(
      ownerId: string,
      versionId: string,
      changes: Partial<Pick<VersionRecord, UpdatableField>> & { resumed?: true },
    ): Promise<void> {
      const { resumed, ...values } = changes;
      const entries = Object.entries(values).filter(([, value]) => value !== undefined);
      const sets = entries.map(
        ([key], i) => `${updatableColumns[key as UpdatableField]} = $${i + 3}`,
      );
      if (resumed) sets.push('resumed_at = now()');
      if (sets.length === 0) return;
      await db.query(
        `UPDATE release_versions SET ${sets.join(', ')} WHERE owner_id = $1 AND id = $2`,
        [ownerId, versionId, ...entries.map(([, value]) => value)],
      );
    },
  };
}
