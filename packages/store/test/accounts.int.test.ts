/** The accounts repository against a real PostgreSQL: an EC2 account and the regions it enabled as sites. */
import { accountNameConstraint } from '../src';
import { newOwner, useTestStore } from '../../../test-support/test-store';

const store = useTestStore();
let owner: string;
let other: string;

beforeAll(async () => {
  [owner, other] = [await newOwner(store, 'owner'), await newOwner(store, 'other')];
});

const ec2Account = (name: string) => ({
  type: 'ec2' as const,
  name,
  config: { bucket: `${name}-staging` },
});
const regionSite = (accountId: string, region: string) => ({
  type: 'ec2' as const,
  name: `aws ${region}`,
  config: { region },
  accountId,
});

test("an account lists the regions it enabled, by region, and is its owner's alone", async () => {
  const { accounts, sites } = store.repositories;
  const id = await accounts.insert(owner, ec2Account('production'));
  const west = await sites.insert(owner, regionSite(id, 'us-west-2'));
  const europe = await sites.insert(owner, regionSite(id, 'eu-west-1'));
  expect(await accounts.find(owner, id)).toMatchObject({
    ...ec2Account('production'),
    id,
    sites: [
      { siteId: europe, region: 'eu-west-1', name: 'aws eu-west-1' },
      { siteId: west, region: 'us-west-2', name: 'aws us-west-2' },
    ],
  });
  expect((await sites.find(owner, west))?.account).toEqual({ id, name: 'production' });
  expect(await accounts.find(other, id)).toBeUndefined();
  expect(await accounts.list(other)).toEqual([]);
  // An EC2 site is always a region of an account.
  await expect(
    sites.insert(owner, { type: 'ec2', name: 'loose region', config: { region: 'eu-north-1' } }),
  ).rejects.toMatchObject({ code: '23514' });
});

test('a change keeps what it leaves out; names are unique per owner in any letter case', async () => {
  const { accounts } = store.repositories;
  const id = await accounts.insert(owner, ec2Account('Staging'));
  await accounts.update(owner, id, { name: 'Staging area' });
  await accounts.update(other, id, { name: 'taken over' });
  expect(await accounts.find(owner, id)).toMatchObject({
    name: 'Staging area',
    config: ec2Account('Staging').config,
  });
  expect(await accounts.nameTaken(owner, 'STAGING AREA')).toBe(true);
  expect(await accounts.nameTaken(owner, 'STAGING AREA', id)).toBe(false);
  expect(await accounts.nameTaken(other, 'staging area')).toBe(false);
  await expect(accounts.insert(owner, ec2Account('staging AREA'))).rejects.toMatchObject({
    constraint: accountNameConstraint,
  });
  expect((await accounts.list(owner)).map((a) => a.name)).toEqual(['production', 'Staging area']);
});

test('removing an account removes its regions; another owner cannot remove it', async () => {
  const { accounts, sites } = store.repositories;
  const id = await accounts.insert(owner, ec2Account('short-lived'));
  const region = await sites.insert(owner, regionSite(id, 'ap-south-1'));
  expect(await accounts.remove(other, id)).toBe(false);
  expect(await sites.find(owner, region)).toBeDefined();
  expect(await accounts.remove(owner, id)).toBe(true);
  expect(await accounts.find(owner, id)).toBeUndefined();
  expect(await sites.find(owner, region)).toBeUndefined();
});
