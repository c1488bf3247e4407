import { pageOf, type Queryable } from '../queryable';

export interface AdminImage {
  id: string;
  ownerId: string;
  name: string;
  hashAlgo: string | null;
  hashValue: string | null;
  copies: number;
}

/** Logical images looked up apart from the matrix: by content, and every project's for admins. */
export function imageLookups(db: Queryable) {
  return {
    /** The owner's logical images with this content, whatever their names. */
    async withContent(
      ownerId: string,
      hash: { algo: string; value: string },
    ): Promise<{ id: string; name: string }[]> {
      const { rows } = await db.query<{ id: string; name: string }>(
        'SELECT id, name FROM images WHERE owner_id = $1 AND hash_algo = $2 AND hash_value = $3 ORDER BY name',
        [ownerId, hash.algo, hash.value],
      );
      return rows;
    },

    /** Every project's logical images with how many copies the sites hold, for admins. */
    async allImages(
      offset: number,
      limit: number,
    ): Promise<{ images: AdminImage[]; total: number }> {
      const { rows } = await db.query<AdminImage & { total: string }>(
        `SELECT i.id, i.owner_id AS "ownerId", i.name, i.hash_algo AS "hashAlgo", i.hash_value AS "hashValue",
                (SELECT count(*)::int FROM site_images s WHERE s.owner_id = i.owner_id AND s.image_id = i.id) AS copies,
                count(*) OVER () AS total
         FROM images i ORDER BY i.name, i.id LIMIT $1 OFFSET $2`,
        [limit, offset],
      );
      const { items, total } = pageOf(rows);
      return { images: items, total };
    },
  };
}
