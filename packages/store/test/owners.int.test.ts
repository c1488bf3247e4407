/** The users and projects repositories (projects own everything else) against a real PostgreSQL. */
import { randomUUID } from 'node:crypto';
import { identityOf, ownerWithImage, useTestStore } from '../../../test-support/test-store';

const store = useTestStore();

test('a first login creates the owner, a later one updates them under the same id', async () => {
  const { users } = store.repositories;
  const first = await users.upsert(identityOf('ana'), false);
  expect(first).toEqual({
    id: expect.any(String),
    keystoneUserId: 'keystone-ana',
    name: 'ana',
    isAdmin: false,
  });
  const again = await users.upsert(
    { ...identityOf('ana'), userName: 'Ana B.', project: null },
    true,
  );
  expect(again).toEqual({ ...first, name: 'Ana B.', isAdmin: true });
  const other = await users.upsert(identityOf('ben'), false);
  expect(other.id).not.toBe(first.id);
});

test('a first login to a project records it, a later one finds it under the same id', async () => {
  const { projects } = store.repositories;
  const first = await projects.upsert({ id: 'kp-atlas', name: 'atlas', domainId: 'default' });
  expect(
    await projects.upsert({ id: 'kp-atlas', name: 'atlas-renamed', domainId: 'default' }),
  ).toBe(first);
  expect(await projects.upsert({ id: 'kp-belle', name: 'belle', domainId: 'default' })).not.toBe(
    first,
  );
});

test("notOwned names the images and sites that are not the project's, whoever else has them", async () => {
  const a = await ownerWithImage(store, 'carla');
  const b = await ownerWithImage(store, 'dan');
  const unknown = randomUUID();
  const ids = { imageIds: [a.imageId, b.imageId, unknown], siteIds: [a.siteId, b.siteId, unknown] };
  expect(await store.repositories.projects.notOwned(a.ownerId, ids)).toEqual({
    imageIds: [b.imageId, unknown],
    siteIds: [b.siteId, unknown],
  });
  // No such project owns nothing.
  expect(await store.repositories.projects.notOwned(randomUUID(), ids)).toEqual(ids);
});
