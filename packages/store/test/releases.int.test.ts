/** The releases repository against a real PostgreSQL: families, versions, channels and stages. */
import { familyNameConstraint } from '../src';
import {
  newMember,
  openstackSite,
  siteImage,
  useTestStore,
} from '../../../test-support/test-store';

const store = useTestStore();

const imageIdOf = async (ownerId: string, name: string) =>
  (
    await store.pool.query<{ id: string }>(
      'SELECT id FROM images WHERE owner_id = $1 AND name = $2',
      [ownerId, name],
    )
  ).rows[0]!.id;

test('a family keeps its defaults, its versions newest first, and channels remember where they pointed', async () => {
  const { ownerId, userId } = await newMember(store, 'release-owner');
  const other = (await newMember(store, 'release-other')).ownerId;
  const { releases, sites, inventory } = store.repositories;
  const siteId = await sites.insert(ownerId, openstackSite('cloud'));
  await inventory.record(ownerId, siteId, [siteImage('build-1'), siteImage('build-2')], new Date());

  const family = await releases.createFamily(ownerId, {
    name: 'atlas-worker',
    stableName: 'ATLAS worker',
    sites: { labels: { tier: 'prod' } },
    waves: [{ labels: { tier: 'canary' } }],
    keepLast: 3,
  });
  expect(family).toMatchObject({
    stableName: 'ATLAS worker',
    follows: 'latest',
    keepMode: 'last',
    keepLast: 3,
    graceSeconds: 86400,
    failureThreshold: 0,
    prestage: true,
    waves: [{ labels: { tier: 'canary' } }],
    requiredProperties: expect.arrayContaining(['provided_until', 'image_build_date']) as unknown,
  });
  expect(await releases.updateFamily(ownerId, family.id, { prestage: false })).toMatchObject({
    prestage: false,
    keepLast: 3,
  });
  await expect(
    releases.createFamily(ownerId, { name: 'atlas-worker', stableName: 'again', sites: {} }),
  ).rejects.toMatchObject({ constraint: familyNameConstraint });
  expect(await releases.family(other, 'atlas-worker')).toBeUndefined();
  expect(await releases.family(ownerId, family.id)).toMatchObject({ name: 'atlas-worker' });

  const v1 = await releases.insertVersion(ownerId, {
    familyId: family.id,
    version: '1',
    imageId: await imageIdOf(ownerId, 'build-1'),
    provenance: { image_source: 'https://example.org/1' },
    publishedBy: userId,
  });
  const v2 = await releases.insertVersion(ownerId, {
    familyId: family.id,
    version: '2',
    imageId: await imageIdOf(ownerId, 'build-2'),
    provenance: {},
    publishedBy: userId,
  });
  expect((await releases.versions(ownerId, family.id)).map((v) => v.version)).toEqual(['2', '1']);

  await releases.moveChannel(ownerId, family.id, 'latest', v1, userId);
  await releases.moveChannel(ownerId, family.id, 'latest', v2, userId);
  await releases.moveChannel(ownerId, family.id, 'latest', v2, userId);
  expect(await releases.channels(ownerId, family.id)).toMatchObject([
    { name: 'latest', versionId: v2, previousVersionId: v1 },
  ]);

  await releases.setStage(ownerId, { versionId: v1, siteId, stage: 'retiring', cloudImageId: 'x' });
  await releases.setStage(ownerId, { versionId: v1, siteId, stage: 'retiring', cloudImageId: 'x' });
  const facts = await releases.rolloutFacts(ownerId, family.id);
  expect(facts?.stages).toMatchObject([{ versionId: v1, stage: 'retiring', attempts: 2 }]);
  expect(facts?.sites).toMatchObject([{ id: siteId, name: 'cloud', labels: {} }]);
  expect(await releases.rolloutFacts(other, family.id)).toBeUndefined();
});

test("a version's copies are found by content under any name, and its logical image outlives them", async () => {
  const { ownerId } = await newMember(store, 'release-renames');
  const { releases, sites, inventory } = store.repositories;
  const siteId = await sites.insert(ownerId, openstackSite('cloud'));
  await inventory.record(ownerId, siteId, [siteImage('build')], new Date());
  const family = await releases.createFamily(ownerId, {
    name: 'fam',
    stableName: 'Stable',
    sites: { ids: [siteId] },
  });
  const imageId = await imageIdOf(ownerId, 'build');
  await releases.insertVersion(ownerId, {
    familyId: family.id,
    version: '1',
    imageId,
    provenance: {},
    publishedBy: null,
  });
  // The copy now carries the stable name: the inventory files it under another logical image.
  await inventory.record(
    ownerId,
    siteId,
    [siteImage('Stable', { cloudImageId: 'build-on-site', hashValue: 'build-hash' })],
    new Date(),
  );
  expect(await imageIdOf(ownerId, 'build')).toBe(imageId);
  const facts = await releases.rolloutFacts(ownerId, family.id);
  expect(facts?.copies).toEqual([
    {
      imageId,
      siteId,
      cloudImageId: 'build-on-site',
      name: 'Stable',
      active: true,
      verified: true,
    },
  ]);
});
