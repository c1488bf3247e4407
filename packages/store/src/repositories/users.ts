import type { Queryable } from './queryable';

/** Who logged in, as the home Keystone describes them. */
export interface UserIdentity {
  userId: string;
  userName: string;
  domainId: string;
  domainName: string;
  project: { id: string; name: string } | null;
}

export interface UserRecord {
  id: string;
  keystoneUserId: string;
  name: string;
  isAdmin: boolean;
}

export function usersRepository(db: Queryable) {
  return {
    /** Records a login: the user as Keystone describes them now, created on their first. */
    async upsert(identity: UserIdentity, isAdmin: boolean): Promise<UserRecord> {
      const { rows } = await db.query<UserRecord>(
        `INSERT INTO users (keystone_user_id, name, domain_id, domain_name, project_id, project_name, is_admin)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (keystone_user_id) DO UPDATE SET
           name = EXCLUDED.name, domain_id = EXCLUDED.domain_id, domain_name = EXCLUDED.domain_name,
           project_id = EXCLUDED.project_id, project_name = EXCLUDED.project_name,
           is_admin = EXCLUDED.is_admin, last_login_at = now()
         RETURNING id, keystone_user_id AS "keystoneUserId", name, is_admin AS "isAdmin"`,
        [
          identity.userId,
          identity.userName,
          identity.domainId,
          identity.domainName,
          identity.project?.id ?? null,
          identity.project?.name ?? null,
          isAdmin,
        ],
      );
      return rows[0]!;
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
