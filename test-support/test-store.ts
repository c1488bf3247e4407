/**
 * The store as its own tests use it: a migrated database of the test file's own, with repositories
 * on a pool of it, and the facts those tests start from.
 */
import { Pool } from 'pg';
import {
  repositoriesOn,
  type Repositories,
  type SiteImage,
  type UserIdentity,
} from '../packages/store/src';
import { migratedDatabase, type TestDatabase } from './test-database';

export interface TestStore {
  pool: Pool;
  repositories: Repositories;
}

/** Sets up the store before the file's tests and drops its database after them. */
export function useTestStore(): TestStore {
  const store = {} as TestStore;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await migratedDatabase();
    store.pool = new Pool({ connectionString: database.url });
    store.repositories = repositoriesOn(store.pool);
  });
  afterAll(async () => {
    // end() resolves before its connections have closed; the drop may cut them off mid-way.
    store.pool?.on('error', () => undefined);
    await store.pool?.end();
    await database?.drop();
  });
  return store;
}

/** A Keystone user as a login describes them. */
export const identityOf = (name: string): UserIdentity => ({
  userId: `keystone-${name}`,
  userName: name,
  domainId: 'default',
  domainName: 'Default',
  project: { id: `project-${name}`, name },
});

/** Records the first login of a user of this name, to a project of their own: the ids of both. */
export async function newMember(
  { repositories }: TestStore,
  name: string,
): Promise<{ userId: string; ownerId: string }> {
  const identity = identityOf(name);
  const { id: userId } = await repositories.users.upsert(identity, false);
  const ownerId = await repositories.projects.upsert({
    ...identity.project!,
    domainId: identity.domainId,
  });
  return { userId, ownerId };
}

/** A new project (with one user, who logged in to it), which owns what is added there; its id. */
export const newOwner = async (store: TestStore, name: string): Promise<string> =>
  (await newMember(store, name)).ownerId;

/** An image as a site's inventory reports it. */
export const siteImage = (name: string, extra: Partial<SiteImage> = {}): SiteImage => ({
  cloudImageId: `${name}-on-site`,
  name,
  hashAlgo: 'sha512',
  hashValue: `${name}-hash`,
  checksum: null,
  size: 100,
  diskFormat: 'qcow2',
  containerFormat: 'bare',
  visibility: 'private',
  status: 'active',
  protected: false,
  cloudOwner: 'project-a',
  glintSourceSite: null,
  glintSourceImage: null,
  glintContentHash: null,
  ...extra,
});

/** An OpenStack site as the API stores it. */
export const openstackSite = (name: string) => ({
  type: 'openstack' as const,
  name,
  config: { authUrl: 'https://keystone.example/v3', interface: 'public' },
});

/**
 * A new project, which owns an OpenStack site whose inventory found one image: their ids, and the
 * id of the project's user.
 */
export async function ownerWithImage(
  { pool, repositories }: TestStore,
  name: string,
): Promise<{ ownerId: string; userId: string; siteId: string; imageId: string }> {
  const { ownerId, userId } = await newMember({ pool, repositories }, name);
  const siteId = await repositories.sites.insert(ownerId, openstackSite(`${name}'s cloud`));
  await repositories.inventory.record(ownerId, siteId, [siteImage(`${name}-image`)], new Date());
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM images WHERE owner_id = $1', [
    ownerId,
  ]);
  return { ownerId, userId, siteId, imageId: rows[0]!.id };
}
