/** The sites and credentials repositories against a real PostgreSQL: every row its owner's alone. */
import { randomBytes } from 'node:crypto';
import { CredentialVault, siteNameConstraint } from '../src';
import { newOwner, openstackSite, useTestStore } from '../../../test-support/test-store';

const store = useTestStore();
let owner: string;
let other: string;

beforeAll(async () => {
  [owner, other] = [await newOwner(store, 'owner'), await newOwner(store, 'other')];
});

test('a site is found, listed, changed and removed by its owner only', async () => {
  const { sites } = store.repositories;
  const id = await sites.insert(owner, openstackSite('zulu'));
  await sites.insert(owner, openstackSite('Alpha'));
  const site = await sites.find(owner, id);
  expect(site).toMatchObject({
    ...openstackSite('zulu'),
    id,
    selfHeal: 'off',
    inventoriedAt: null,
    credential: null,
    account: null,
  });
  expect((await sites.list(owner)).map((s) => s.name)).toEqual(['Alpha', 'zulu']);

  expect(await sites.find(other, id)).toBeUndefined();
  expect(await sites.list(other)).toEqual([]);
  await sites.update(other, id, { name: 'taken over' });
  expect(await sites.remove(other, id)).toBe(false);
  expect((await sites.find(owner, id))?.name).toBe('zulu');

  // What a change leaves out stays as it was.
  await sites.update(owner, id, { selfHeal: 'restore' });
  expect(await sites.find(owner, id)).toMatchObject({
    name: 'zulu',
    config: site!.config,
    selfHeal: 'restore',
  });
  expect((await sites.listAll()).filter((s) => s.id === id)).toEqual([
    expect.objectContaining({ ownerId: owner, selfHeal: 'restore' }),
  ]);
  expect(await sites.remove(owner, id)).toBe(true);
  expect(await sites.find(owner, id)).toBeUndefined();
});

test('site names are unique per owner in any letter case, and free to other owners', async () => {
  const { sites } = store.repositories;
  const id = await sites.insert(owner, openstackSite('Home'));
  expect(await sites.nameTaken(owner, 'HOME')).toBe(true);
  expect(await sites.nameTaken(owner, 'HOME', id)).toBe(false);
  expect(await sites.nameTaken(other, 'home')).toBe(false);
  await expect(sites.insert(owner, openstackSite('hOME'))).rejects.toMatchObject({
    constraint: siteNameConstraint,
  });
  await expect(sites.insert(other, openstackSite('home'))).resolves.toEqual(expect.any(String));
});

test('a credential kept in the vault shows as who logs in, never as its secret, and goes with its site', async () => {
  const { sites } = store.repositories;
  const vault = new CredentialVault({
    currentKeyId: 'k1',
    keys: new Map([['k1', randomBytes(32)]]),
  });
  const siteId = await sites.insert(owner, openstackSite('with a login'));
  const credential = {
    kind: 'password',
    username: 'demo',
    password: 'correct horse battery staple',
  };
  const keep = () =>
    vault.store(store.repositories, { ownerId: owner, siteId }, credential, { username: 'demo' });
  await keep();
  const site = await sites.find(owner, siteId);
  expect(site?.credential).toEqual({
    kind: 'password',
    username: 'demo',
    validatedAt: expect.any(String),
  });
  expect(JSON.stringify(site)).not.toContain(credential.password);
  const first = await vault.find(store.repositories, { ownerId: owner, siteId });
  expect(first?.open()).toEqual(credential);
  expect(await vault.find(store.repositories, { ownerId: other, siteId })).toBeUndefined();

  // Storing again replaces it, under a new version.
  await keep();
  const second = await vault.find(store.repositories, { ownerId: owner, siteId });
  expect(second?.version).not.toBe(first?.version);

  await sites.remove(owner, siteId);
  expect(await vault.find(store.repositories, { ownerId: owner, siteId })).toBeUndefined();
});
