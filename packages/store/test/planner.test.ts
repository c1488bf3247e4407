import type { CopyCapabilities, SiteType } from '@glint/core';
import type { PlanCopy, PlanFacts, Placement } from '../src/repositories';
import { plan as planWith } from '../src/planner';

/** What the registry says of the two site types today. */
const copying = (type: SiteType): CopyCapabilities =>
  type === 'ec2'
    ? { readable: false, serverSideCopy: true }
    : { readable: true, serverSideCopy: true };
const plan = (facts: PlanFacts, changes: Placement[], force: boolean) =>
  planWith(facts, changes, force, copying);

const image = 'image-1';
const copy = (siteId: string, extra: Partial<PlanCopy> = {}): PlanCopy => ({
  imageId: image,
  siteId,
  cloudImageId: `${siteId}-copy`,
  active: true,
  verified: true,
  protected: false,
  visibility: 'private',
  cloudOwner: 'project-a',
  hidden: false,
  managed: true,
  ...extra,
});
const facts = (copies: PlanCopy[], regions: Record<string, string> = {}): PlanFacts => ({
  images: [{ id: image, name: 'ubuntu', size: 100 }],
  sites: ['a', 'b', 'c', 'd'].map((id) => ({
    id,
    name: `site ${id}`,
    type: 'openstack' as const,
    region: regions[id] ?? 'r1',
    cloudProjectId: 'project-a',
  })),
  copies,
  openJobs: [],
});
const unwanted = (siteId: string) => ({ imageId: image, siteId, wanted: false });
const wanted = (siteId: string) => ({ imageId: image, siteId, wanted: true });

test('a protected copy is not deleted', () => {
  const result = plan(facts([copy('a', { protected: true }), copy('b')]), [unwanted('a')], false);
  expect(result.deletes).toEqual([]);
  expect(result.refusals).toEqual([expect.objectContaining({ siteId: 'a', reason: 'protected' })]);
  expect(result.placements).toEqual([]);
});

test("a public image of another project is not deleted, the user's own public image is", () => {
  const copies = [
    copy('a', { visibility: 'public', cloudOwner: 'someone-else' }),
    copy('b', { visibility: 'public' }),
    copy('c'),
  ];
  const result = plan(facts(copies), [unwanted('a'), unwanted('b')], false);
  expect(result.refusals).toEqual([
    expect.objectContaining({ siteId: 'a', reason: 'public_not_owned' }),
  ]);
  expect(result.deletes).toEqual([{ imageId: image, siteId: 'b', cloudImageId: 'b-copy' }]);
});

test('a hidden copy Glint did not make is never deleted, even forced; one Glint made and hid is', () => {
  const copies = [
    copy('a', { hidden: true, managed: false }),
    copy('b', { hidden: true }),
    copy('c'),
  ];
  const result = plan(facts(copies), [unwanted('a'), unwanted('b')], true);
  expect(result.refusals).toEqual([
    expect.objectContaining({ siteId: 'a', reason: 'hidden_not_placed' }),
  ]);
  expect(result.deletes).toEqual([{ imageId: image, siteId: 'b', cloudImageId: 'b-copy' }]);
});

test('of two deletes that would leave no copy, the last is refused unless forced', () => {
  const changes = [unwanted('a'), unwanted('b')];
  const result = plan(facts([copy('a'), copy('b')]), changes, false);
  expect(result.deletes.map((d) => d.siteId)).toEqual(['b']);
  expect(result.refusals).toEqual([expect.objectContaining({ siteId: 'a', reason: 'last_copy' })]);
  expect(plan(facts([copy('a'), copy('b')]), changes, true).deletes).toHaveLength(2);
});

test('copies come from an active, verified copy in the destinations’ region, as one job', () => {
  const copies = [
    copy('a'),
    copy('b', { active: false }),
    copy('c', { verified: false }),
    copy('d'),
  ];
  const result = plan(facts(copies, { d: 'r2', b: 'r2' }), [wanted('b')], false);
  expect(result.copies).toEqual([
    {
      imageId: image,
      source: { siteId: 'd', cloudImageId: 'd-copy' },
      destinations: ['b'],
      bytes: 100,
    },
  ]);
  const fanOut = plan(facts([copy('a')]), [wanted('c'), wanted('b')], false);
  expect(fanOut.copies).toEqual([expect.objectContaining({ destinations: ['b', 'c'] })]);
});

test('a copy with no usable source, or a cell already right or under way, makes no job', () => {
  const noSource = plan(facts([copy('a', { verified: false })]), [wanted('b')], false);
  expect(noSource.refusals).toEqual([expect.objectContaining({ reason: 'no_source' })]);
  const busy = {
    ...facts([copy('a')]),
    openJobs: [{ imageId: image, siteId: 'b', operation: 'copy' }],
  };
  const result = plan(busy, [wanted('a'), wanted('b'), unwanted('c')], false);
  expect(result).toMatchObject({ copies: [], deletes: [], refusals: [], unchanged: 3 });
});

test('the plan names every image and site it mentions, and no other', () => {
  const result = plan(
    facts([copy('a'), copy('d', { protected: true })]),
    [wanted('b'), unwanted('d')],
    false,
  );
  expect(result.names).toEqual({
    images: { [image]: 'ubuntu' },
    sites: { a: 'site a', b: 'site b', d: 'site d' },
  });
});

test('a source in the destinations’ region wins over one elsewhere, whatever their order', () => {
  const copies = [copy('a'), copy('b')];
  const result = plan(facts(copies, { b: 'r2', c: 'r2' }), [wanted('c')], false);
  expect(result.copies).toEqual([
    expect.objectContaining({ source: { siteId: 'b', cloudImageId: 'b-copy' } }),
  ]);
  // With no source in their region, the first by site id, for a plan that does not change by itself.
  const elsewhere = plan(facts(copies, { c: 'r3' }), [wanted('c')], false);
  expect(elsewhere.copies).toEqual([
    expect.objectContaining({ source: expect.objectContaining({ siteId: 'a' }) }),
  ]);
});

test('copies of several images spread their reads over the sites that hold them all', () => {
  const second = 'image-2';
  const both = (siteId: string) => [
    copy(siteId),
    copy(siteId, { imageId: second, cloudImageId: `${siteId}-2` }),
  ];
  const twoImages: PlanFacts = {
    ...facts([...both('a'), ...both('b')]),
    images: [
      { id: image, name: 'ubuntu', size: 100 },
      { id: second, name: 'debian', size: 100 },
    ],
  };
  const result = plan(
    twoImages,
    [wanted('c'), { imageId: second, siteId: 'c', wanted: true }],
    false,
  );
  expect(result.copies.map((c) => c.source.siteId).sort()).toEqual(['a', 'b']);
});

test('the last word on a cell counts', () => {
  const result = plan(facts([copy('a')]), [unwanted('b'), wanted('b')], false);
  expect(result.copies).toEqual([expect.objectContaining({ destinations: ['b'] })]);
  expect(result.placements).toEqual([wanted('b')]);
});

test('a copy that is not active does not count as one left, so the last active one stays', () => {
  const result = plan(facts([copy('a'), copy('b', { active: false })]), [unwanted('a')], false);
  expect(result.deletes).toEqual([]);
  expect(result.refusals).toEqual([expect.objectContaining({ siteId: 'a', reason: 'last_copy' })]);
  expect(result.placements).toEqual([]);
});

test('a copy planned in the same breath does not make a delete safe: a source must survive the plan', () => {
  const changes = [unwanted('a'), wanted('b')];
  const kept = plan(facts([copy('a')]), changes, false);
  expect(kept.refusals).toEqual([expect.objectContaining({ siteId: 'a', reason: 'last_copy' })]);
  expect(kept.copies).toEqual([
    expect.objectContaining({ source: expect.objectContaining({ siteId: 'a' }) }),
  ]);
  // Forced, the delete goes ahead and leaves the copy nothing to read.
  const forced = plan(facts([copy('a')]), changes, true);
  expect(forced.deletes).toEqual([{ imageId: image, siteId: 'a', cloudImageId: 'a-copy' }]);
  expect(forced.refusals).toEqual([expect.objectContaining({ siteId: 'b', reason: 'no_source' })]);
  expect(forced.placements).toEqual([unwanted('a')]);
});

test('force never deletes a protected copy or a public image another project owns', () => {
  const copies = [
    copy('a', { protected: true }),
    copy('b', { visibility: 'public', cloudOwner: 'someone-else' }),
    copy('c'),
  ];
  const result = plan(facts(copies), [unwanted('a'), unwanted('b')], true);
  expect(result.deletes).toEqual([]);
  expect(result.refusals.map((r) => [r.siteId, r.reason])).toEqual([
    ['a', 'protected'],
    ['b', 'public_not_owned'],
  ]);
});

test('a region with no copy of its own gets one its cloud copies from another region of the project; Glint streams to another cloud', () => {
  const sites = facts([copy('a')], { b: 'r2', c: 'r3' }).sites;
  const otherCloud = sites.map((site) =>
    site.id === 'd' ? { ...site, cloudProjectId: 'project-z' } : site,
  );
  const result = plan(
    { ...facts([copy('a')]), sites: otherCloud },
    [wanted('b'), wanted('c'), wanted('d')],
    false,
  );
  expect(result.copies.map((c) => [c.source.siteId, c.destinations])).toEqual([
    ['a', ['b', 'c']],
    ['a', ['d']],
  ]);
});

describe('destinations whose cloud copies itself', () => {
  /** a: OpenStack; b, c: regions of EC2 account 1111; d: a region of account 2222. */
  const ec2Facts = (copies: PlanCopy[]): PlanFacts => {
    const base = facts(copies);
    const account: Record<string, string> = { b: '1111', c: '1111', d: '2222' };
    return {
      ...base,
      sites: base.sites.map((site) =>
        account[site.id]
          ? { ...site, type: 'ec2' as const, cloudProjectId: account[site.id]!, region: site.id }
          : site,
      ),
    };
  };

  test('an AMI in one region of the account is the source of its other regions; Glint streams the rest', () => {
    const result = plan(ec2Facts([copy('a'), copy('b')]), [wanted('c'), wanted('d')], false);
    expect(result.copies).toEqual([
      {
        imageId: image,
        source: { siteId: 'b', cloudImageId: 'b-copy' },
        destinations: ['c'],
        bytes: 100,
      },
      {
        imageId: image,
        source: { siteId: 'a', cloudImageId: 'a-copy' },
        destinations: ['d'],
        bytes: 100,
      },
    ]);
    expect(result.refusals).toEqual([]);
  });

  test('an AMI is never a streamed source: another account with no readable copy is refused', () => {
    const result = plan(ec2Facts([copy('b')]), [wanted('c'), wanted('d'), wanted('a')], false);
    expect(result.copies).toEqual([
      expect.objectContaining({
        source: { siteId: 'b', cloudImageId: 'b-copy' },
        destinations: ['c'],
      }),
    ]);
    expect(result.refusals.map((r) => [r.siteId, r.reason])).toEqual([
      ['a', 'no_source'],
      ['d', 'no_source'],
    ]);
    expect(result.refusals[0]!.message).toMatch(/copy Glint can read/);
  });

  test('an unverified AMI is no source for its account either', () => {
    const result = plan(
      ec2Facts([copy('a'), copy('b', { verified: false })]),
      [wanted('c')],
      false,
    );
    expect(result.copies).toEqual([
      expect.objectContaining({
        source: { siteId: 'a', cloudImageId: 'a-copy' },
        destinations: ['c'],
      }),
    ]);
  });
});
