import type { DecidedCell, RuleDefinition, RuleFacts, RuleImage } from '../src/repositories';
import { evaluateRules, impliedCells, rulePlan } from '../src/rule-evaluation';

const atlasRule: RuleDefinition & { name: string } = {
  name: 'atlas',
  description: '',
  images: { names: ['atlas-*'] },
  sites: { labels: { experiment: 'atlas' } },
  prune: false,
};
const image = (id: string, name: string, held: string[] = [], props = {}): RuleImage => ({
  id,
  name,
  variants: [props],
  active: held,
  held,
});
const site = (id: string, labels: Record<string, string>) => ({
  id,
  name: `site ${id}`,
  type: 'openstack',
  region: 'r1',
  labels,
});

function facts(extra: Partial<RuleFacts> = {}): RuleFacts {
  return {
    rules: [atlasRule],
    sites: [site('s1', { experiment: 'atlas' }), site('s2', { experiment: 'cms' })],
    images: [image('i1', 'atlas-base', ['s1']), image('i2', 'atlas-gpu', []), image('i3', 'cms')],
    placements: [],
    ...extra,
  };
}
const row = (imageId: string, siteId: string, extra: Partial<DecidedCell>): DecidedCell => ({
  imageId,
  siteId,
  wanted: true,
  source: 'rule',
  rule: 'atlas',
  ...extra,
});

test('a rule implies its images on its sites, and nothing else', () => {
  const implied = impliedCells(facts(), [atlasRule]);
  expect([...implied.keys()].sort()).toEqual(['i1', 'i2']);
  expect([...implied.get('i1')!]).toEqual([['s1', 'atlas']]);
});

test('of two rules implying a cell, the first by name is recorded', () => {
  const other = { ...atlasRule, name: 'a-first', images: { names: ['atlas-base'] } };
  const implied = impliedCells(facts(), [atlasRule, other]);
  expect(implied.get('i1')!.get('s1')).toBe('a-first');
  expect(implied.get('i2')!.get('s1')).toBe('atlas');
});

test('an image selected by properties: any copy’s properties may match', () => {
  const rule = { ...atlasRule, images: { properties: { os_distro: 'ubuntu' } } };
  const withProps: RuleImage = {
    ...image('i4', 'plain'),
    variants: [{ os_distro: 'debian' }, { os_distro: 'ubuntu' }],
  };
  const implied = impliedCells(facts({ images: [withProps, image('i5', 'x')] }), [rule]);
  expect([...implied.keys()]).toEqual(['i4']);
});

test('new implied cells become rule rows; hand rows are left alone but learn the rule', () => {
  const hand = row('i2', 's1', { source: 'hand', wanted: false, rule: null });
  const writes = evaluateRules(facts({ placements: [hand] }));
  expect(writes.upserts).toEqual([{ imageId: 'i1', siteId: 's1', wanted: true, rule: 'atlas' }]);
  expect(writes.handRules).toEqual([{ imageId: 'i2', siteId: 's1', rule: 'atlas' }]);
  expect(writes.removals).toEqual([]);
});

test('an evaluation over rows already right changes nothing', () => {
  const rows = [row('i1', 's1', {}), row('i2', 's1', {})];
  expect(evaluateRules(facts({ placements: rows }))).toEqual({
    upserts: [],
    removals: [],
    handRules: [],
  });
});

test('a rule row no rule implies goes, unless its rule prunes: then it turns unwanted', () => {
  const stale = [row('i1', 's2', {}), row('i3', 's1', {})];
  expect(evaluateRules(facts({ placements: stale })).removals).toEqual([
    { imageId: 'i1', siteId: 's2' },
    { imageId: 'i3', siteId: 's1' },
  ]);
  const pruning = facts({ placements: stale, rules: [{ ...atlasRule, prune: true }] });
  expect(evaluateRules(pruning).upserts).toEqual(
    expect.arrayContaining([
      { imageId: 'i1', siteId: 's2', wanted: false, rule: 'atlas' },
      { imageId: 'i3', siteId: 's1', wanted: false, rule: 'atlas' },
    ]),
  );
});

test('an unwanted rule row stays while its copy does, and goes once it is gone', () => {
  const pruned = [row('i1', 's2', { wanted: false }), row('i3', 's1', { wanted: false })];
  const held = facts({
    placements: pruned,
    images: [image('i1', 'atlas-base', ['s1', 's2']), image('i3', 'cms')],
  });
  expect(evaluateRules(held).removals).toEqual([{ imageId: 'i3', siteId: 's1' }]);
});

test('a rule’s plan: copies where it wants an image not there, no hand tick deciding', () => {
  const hand = row('i2', 's1', { source: 'hand', wanted: false });
  const plan = rulePlan(facts({ placements: [hand] }), 'atlas', atlasRule, false);
  expect(plan).toEqual({ copies: [], deletes: [] });
  const wider = { ...atlasRule, sites: { types: ['openstack' as const] } };
  expect(rulePlan(facts(), 'atlas', wider, false).copies).toEqual([
    { imageId: 'i1', imageName: 'atlas-base', siteId: 's2', siteName: 'site s2' },
    { imageId: 'i2', imageName: 'atlas-gpu', siteId: 's1', siteName: 'site s1' },
    { imageId: 'i2', imageName: 'atlas-gpu', siteId: 's2', siteName: 'site s2' },
  ]);
});

test('removing a pruning rule deletes the copies it placed that nothing else wants', () => {
  const pruning = { ...atlasRule, prune: true };
  const held = facts({
    rules: [pruning],
    images: [image('i1', 'atlas-base', ['s1']), image('i2', 'atlas-gpu', ['s1'])],
  });
  expect(rulePlan(held, 'atlas', null, true).deletes.map((c) => c.imageId)).toEqual(['i1', 'i2']);
  expect(rulePlan(held, 'atlas', null, false).deletes).toEqual([]);
  const keeper = { ...atlasRule, name: 'keeper', images: { names: ['atlas-base'] } };
  const shared = { ...held, rules: [pruning, keeper] };
  expect(rulePlan(shared, 'atlas', null, true).deletes.map((c) => c.imageId)).toEqual(['i2']);
});
