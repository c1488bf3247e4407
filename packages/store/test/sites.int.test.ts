/** The sites and credentials repositories against a real PostgreSQL: every row its owner's alone. */
import { randomBytes } from 'node:crypto';
import { CredentialCipher, siteNameConstraint } from '../src';
import { newUser, openstackSite, useTestStore } from '../../../test-support/test-store';

const store = useTestStore();
let owner: string;
let other: string;

beforeAll(async () => {
  [owner, other] = [await newUser(store, 'owner'), await newUser(store, 'other')];
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

test('a stored credential shows as who logs in, never as its secret, and goes with its site', async () => {
  const { sites, credentials } = store.repositories;
  const cipher = new CredentialCipher({
    currentKeyId: 'k1',
    keys: new Map([['k1', randomBytes(32)]]),
  });
  const siteId = await sites.insert(owner, openstackSite('with a login'));
  const secret = 'correct horse battery staple';
  const seal = () =>
    cipher.seal(
      { kind: 'password', username: 'demo', password: secret },
      { ownerId: owner, siteId },
    );
  const first = seal();
  await credentials.store(owner, siteId, {
    kind: 'password',
    principal: { username: 'demo' },
    sealed: first,
  });
  const site = await sites.find(owner, siteId);
  expect(site?.credential).toEqual({
    kind: 'password',
    username: 'demo',
    validatedAt: expect.any(String),
  });
  expect(JSON.stringify(site)).not.toContain(secret);
  expect(await credentials.sealed(owner, siteId)).toEqual(first);
  expect(await credentials.sealed(other, siteId)).toBeUndefined();

  // Storing again replaces it.
  const second = seal();
  await credentials.store(owner, siteId, {
    kind: 'password',
    principal: { username: 'demo' },
    sealed: second,
  });
  expect((await credentials.sealed(owner, siteId))?.nonce).toEqual(second.nonce);

  await sites.remove(owner, siteId);
  expect(await credentials.sealed(owner, siteId)).toBeUndefined();
});
