import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { desiredState } from '../src/desired-state';
import { globToRegExp } from '../src/glob';
import { parsePlacementsFile } from '../src/placements-file';

const sites = [
  { id: '00000000-0000-4000-8000-000000000001', name: 'eu-west', type: 'openstack' },
  { id: '00000000-0000-4000-8000-000000000002', name: 'EU-north', type: 'openstack' },
  { id: '00000000-0000-4000-8000-000000000003', name: 'us-east', type: 'openstack' },
  { id: '00000000-0000-4000-8000-000000000004', name: 'aws', type: 'ec2' },
];
const images = [
  { id: '10000000-0000-4000-8000-000000000001', name: 'ubuntu-24.04-amd64' },
  { id: '10000000-0000-4000-8000-000000000002', name: 'debian-12-genericcloud' },
  { id: '10000000-0000-4000-8000-000000000003', name: 'cirros-0.6.2' },
  { id: '10000000-0000-4000-8000-000000000004', name: 'centos-7' },
  { id: '10000000-0000-4000-8000-000000000005', name: 'other' },
];
const [euWest, euNorth, usEast, aws] = sites.map((s) => s.id);
const [ubuntu, debian, cirros, centos] = images.map((i) => i.id);

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('name patterns', () => {
  test.each([
    ['cirros-*', 'cirros-0.6.2', true],
    ['cirros-*', 'xcirros-0.6.2', false],
    ['ubuntu-2?.04', 'ubuntu-24.04', true],
    ['ubuntu-2?.04', 'ubuntu-2.04', false],
    ['img-[ab]', 'img-b', true],
    ['img-[!ab]', 'img-b', false],
    ['a.b+c(d)', 'a.b+c(d)', true],
    ['a.b', 'aXb', false],
  ])('%s against %s: %s', (pattern, name, matches) => {
    expect(globToRegExp(pattern).test(name)).toBe(matches);
  });

  test('are case-sensitive, as image names are, unless asked to ignore case, as for site names', () => {
    expect(globToRegExp('Cirros-*').test('cirros-0.6.2')).toBe(false);
    expect(globToRegExp('Cloud[12]', { ignoreCase: true }).test('cloud1')).toBe(true);
  });
});

describe('the placements file', () => {
  test('examples/placements.yaml parses, and selects as it says', () => {
    const file = join(__dirname, '..', '..', '..', 'examples', 'placements.yaml');
    const spec = parsePlacementsFile(readFileSync(file, 'utf8'), 'placements.yaml');
    expect(spec.force).toBe(false);
    expect(spec.rules.map((r) => r.line)).toEqual([15, 20, 24]);
    expect(spec.families.map((f) => [f.name, f.fields.keepLast])).toEqual([['ubuntu-24.04', 3]]);
    const state = desiredState(spec, sites, images);
    expect(state.desired).toEqual([
      { image: ubuntu, sites: [euWest, euNorth, usEast].sort() },
      { image: debian, sites: [euWest, euNorth, usEast].sort() },
      // Site names are matched in any letter case, as they are unique in any letter case.
      { image: cirros, sites: [euWest, euNorth].sort() },
      { image: centos, sites: [] },
    ]);
    expect(state.warnings).toEqual([]);
  });

  test('an image in several entries is wanted on the union of their sites; ids select too', () => {
    const spec = parsePlacementsFile(
      `placements:\n  - images: cirros-*\n    sites: us-east\n  - images: [${cirros}]\n    sites: [{ type: ec2 }, { name: ${euWest} }]\n`,
      'f.yaml',
    );
    expect(desiredState(spec, sites, images).desired).toEqual([
      { image: cirros, sites: [usEast, aws, euWest].sort() },
    ]);
  });

  test('an image pattern that selects nothing is a warning with its line', () => {
    const spec = parsePlacementsFile(
      'placements:\n  - images:\n      - cirros-*\n      - fedora-*\n    sites: aws\n',
      'f.yaml',
    );
    const state = desiredState(spec, sites, images);
    expect(state.warnings).toEqual(['f.yaml:4: no image matches "fedora-*"']);
    expect(state.desired).toEqual([{ image: cirros, sites: [aws] }]);
  });

  test('a site selector that selects nothing is an error with its line', () => {
    const spec = parsePlacementsFile(
      'placements:\n  - images: cirros-*\n    sites:\n      - us-east\n      - us-eats\n      - type: gce\n',
      'f.yaml',
    );
    const message = errorOf(() => desiredState(spec, sites, images));
    expect(message).toContain(
      'f.yaml:5: no site matches "us-eats"; your sites are: eu-west (openstack)',
    );
    expect(message).toContain('f.yaml:6: no site has type "gce"');
  });

  test('every mistake is reported with its line, against the schema', () => {
    const message = errorOf(() =>
      parsePlacementsFile(
        'placements:\n  - images: 3\n    sites: [{ typ: openstack }]\n    extra: 1\n  - sites: x\nforce: maybe\n',
        'bad.yaml',
      ),
    );
    expect(message.split('\n')).toEqual([
      'bad.yaml is not a valid placements file:',
      '  bad.yaml:2: placements.0.images: must be an image name pattern or id, or a list of them',
      '  bad.yaml:3: placements.0.sites.0: must be a site name pattern or id, { name: pattern } or { type: site type }',
      '  bad.yaml:4: placements.0.extra: unknown key "extra": remove it',
      '  bad.yaml:5: placements.1: "images" is missing',
      '  bad.yaml:6: force: must be boolean',
      'See examples/placements.yaml for the format.',
    ]);
  });

  test('YAML syntax errors name their line; an empty file says what is missing', () => {
    expect(errorOf(() => parsePlacementsFile('placements:\n  - images: [a\n', 'f.yaml'))).toMatch(
      /f\.yaml:2: not valid YAML/,
    );
    expect(errorOf(() => parsePlacementsFile('{}\n', 'f.yaml'))).toContain(
      'f.yaml:1: the file: give "placements", "rules", "families", or several of them',
    );
  });
});
