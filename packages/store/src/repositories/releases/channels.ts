import type { Queryable } from '../queryable';
import { iso, type ChannelRecord } from './records';

/** A family's channels, each pointing at a version (and at the one it pointed at before). */
export function channelQueries(db: Queryable) {
  return {
    async channels(ownerId: string, familyId: string): Promise<ChannelRecord[]> {
      const { rows } = await db.query<ChannelRecord>(
        `SELECT name, version_id AS "versionId", previous_version_id AS "previousVersionId",
                ${iso('moved_at')} AS "movedAt"
         FROM release_channels WHERE owner_id = $1 AND family_id = $2 ORDER BY name`,
        [ownerId, familyId],
      );
      return rows;
    },

    /** Points the channel at the version; the version it pointed at becomes its previous one. */
    async moveChannel(
      ownerId: string,
      familyId: string,
      channel: string,
      versionId: string,
      movedBy: string | null,
    ): Promise<void> {
      await db.query(
        `INSERT INTO release_channels (owner_id, family_id, name, version_id, moved_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (family_id, name) DO UPDATE SET
           previous_version_id = CASE WHEN release_channels.version_id = EXCLUDED.version_id
                                      THEN release_channels.previous_version_id
                                      ELSE release_channels.version_id END,
           version_id = EXCLUDED.version_id, moved_by = EXCLUDED.moved_by, moved_at = now()`,
        [ownerId, familyId, channel, versionId, movedBy],
      );
    },
  };
}
