/**
 * The `rules:` section of a placements file: standing rules by name, their bodies as PUT
 * /api/v1/rules/{name} takes them, and every mistake reported with its line.
 */
import { parsePlacementsFile } from '../src/placements-file';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('no error');
}

const file = `# standing rules beside plain placements
placements:
  - images: cirros-*
    sites: east
rules:
  - name: base-on-prod
    description: Ubuntu and Debian on every production cloud
    images:
      names: ['ubuntu-*', 'debian-12-*']
    sites:
      labels: { tier: prod }
      types: [openstack]
    prune: true
  - name: gpu-images
    images: { properties: { hw_gpu: 'true' } }
    sites: { labels: { example.org/gpu: 'yes' }, regions: [RegionOne] }
`;

test('rules are read in order with their lines, beside the placements', () => {
  const spec = parsePlacementsFile(file, 'f.yaml');
  expect(spec.rules.map((r) => r.line)).toEqual([3]);
  expect(spec.standingRules).toEqual([
    {
      name: 'base-on-prod',
      line: 6,
      body: {
        description: 'Ubuntu and Debian on every production cloud',
        images: { names: ['ubuntu-*', 'debian-12-*'] },
        sites: { labels: { tier: 'prod' }, types: ['openstack'] },
        prune: true,
      },
    },
    {
      name: 'gpu-images',
      line: 14,
      body: {
        images: { properties: { hw_gpu: 'true' } },
        sites: { labels: { 'example.org/gpu': 'yes' }, regions: ['RegionOne'] },
      },
    },
  ]);
});

test('a file of rules alone needs no placements', () => {
  const spec = parsePlacementsFile(
    'rules:\n  - name: r\n    images: { ids: [a] }\n    sites: { types: [ec2] }\n',
    'f.yaml',
  );
  expect(spec.rules).toEqual([]);
  expect(spec.standingRules.map((r) => r.name)).toEqual(['r']);
});

test('bad names, unknown keys, empty selectors, bad labels and repeated names each name their line', () => {
  const message = errorOf(() =>
    parsePlacementsFile(
      [
        'rules:',
        '  - name: Base_Images',
        '    images: { names: [ubuntu-*] }',
        '    sites: { labels: { tier: prod } }',
        '  - name: empty',
        '    images: {}',
        '    sites: { labels: {} }',
        '  - name: labels',
        '    images: { names: [x] }',
        '    sites: { labels: { Tier: prod } }',
        '    purge: true',
        '  - name: empty',
        '    images: { ids: [a] }',
        '    sites: { sites: [a] }',
        '',
      ].join('\n'),
      'r.yaml',
    ),
  );
  expect(message.split('\n')).toEqual([
    'r.yaml is not a valid placements file:',
    '  r.yaml:2: rules.0.name: must be a name of lower-case letters, digits and "-" (at most 63, starting with a letter or digit)',
    '  r.yaml:11: rules.2.purge: unknown key "purge": remove it',
    '  r.yaml:14: rules.3.sites.sites: unknown key "sites": remove it',
    'See examples/placements.yaml for the format.',
  ]);
  // The checks beyond the schema come once the schema is met.
  const checks = errorOf(() =>
    parsePlacementsFile(
      [
        'rules:',
        '  - name: empty',
        '    images: {}',
        '    sites: { labels: {} }',
        '  - name: labels',
        '    images: { names: [x] }',
        '    sites: { labels: { Tier: prod } }',
        '  - name: empty',
        '    images: { ids: [a] }',
        '    sites: { ids: [a] }',
        '',
      ].join('\n'),
      'r.yaml',
    ),
  );
  expect(checks.split('\n')).toEqual([
    'r.yaml is not a valid placements file:',
    '  r.yaml:3: rules.0.images: selects no image: give names, properties or ids',
    '  r.yaml:4: rules.0.sites: selects no site: give labels, types, regions or ids',
    expect.stringMatching(/^ {2}r\.yaml:7: rules\.1\.sites\.labels: label key "Tier" is not valid/),
    '  r.yaml:8: rules.2.name: rule "empty" is written twice: one entry per rule',
    'See examples/placements.yaml for the format.',
  ]);
});
