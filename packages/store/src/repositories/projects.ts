import type { Queryable } from './queryable';

/** A project of the home Keystone, as a login or token scoped to it names it. */
export interface ProjectIdentity {
  id: string;
  name: string;
  domainId: string;
}

export function projectsRepository(db: Queryable) {
  return {
    /** Glint's id for the project (the owner of its rows), recorded at the first login to it. */
    async upsert(project: ProjectIdentity): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO projects (keystone_project_id, domain_id, name) VALUES ($1, $2, $3)
         ON CONFLICT (keystone_project_id) DO UPDATE SET
           domain_id = EXCLUDED.domain_id, name = EXCLUDED.name, last_login_at = now()
         RETURNING id`,
        [project.id, project.domainId, project.name],
      );
      return rows[0]!.id;
    },

    /**
     * Of these images and sites, the ones that are not the project's (all of them when there is
     * no such project), whether they belong to another project or to none.
     */
    async notOwned(
      ownerId: string,
      ids: { imageIds: string[]; siteIds: string[] },
    ): Promise<{ imageIds: string[]; siteIds: string[] }> {
      const { rows } = await db.query<{ imageIds: string[]; siteIds: string[] }>(
        `SELECT ARRAY(SELECT id FROM unnest($2::uuid[]) AS ids (id) WHERE NOT EXISTS (
                  SELECT 1 FROM images WHERE owner_id = $1 AND images.id = ids.id)) AS "imageIds",
                ARRAY(SELECT id FROM unnest($3::uuid[]) AS ids (id) WHERE NOT EXISTS (
                  SELECT 1 FROM sites WHERE owner_id = $1 AND sites.id = ids.id)) AS "siteIds"`,
        [ownerId, ids.imageIds, ids.siteIds],
      );
      return rows[0]!;
    },
  };
}

export type ProjectsRepository = ReturnType<typeof projectsRepository>;
