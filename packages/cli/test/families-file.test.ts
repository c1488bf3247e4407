/**
 * The `families:` section of a placements file: release families by name, their fields as POST
 * /api/v1/releases takes them, every mistake reported with its line, and the plan against the
 * project's families (create, change, unchanged, and those the file leaves out) as people read it.
 */
import type { ReleaseFamily } from '@glint/api/replies';
import { planFamilies } from '../src/family-plan';
import { renderFamilyChanges } from '../src/family-plan-view';
import { parsePlacementsFile } from '../src/placements-file';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('no error');
}

const file = `# families beside a rule
rules:
  - name: base
    images: { names: [base-*] }
    sites: { types: [openstack] }
families:
  - family: ubuntu-24.04
    stable_name: Ubuntu 24.04
    sites: { labels: { tier: prod } }
    waves:
      - labels: { role: canary }
      - regions: [RegionOne]
    keep: 3
    soak_seconds: 600
    manual_waves: true
    prestage: false
    failure_threshold: 0.25
    follows: stable
    grace_seconds: 3600
    properties: { replace_frequency: weekly, hotfix_hours: 0 }
    required_properties: [image_original_user]
  - family: atlas
    stable_name: ATLAS worker
    sites: { labels: { experiment: atlas } }
    keep: 2027-06-30
  - family: forever
    stable_name: Kept
    sites: { types: [ec2] }
    keep: forever
`;

/** A family as GET /api/v1/releases lists it, with the database's defaults. */
const stored = (fields: Partial<ReleaseFamily>): ReleaseFamily => ({
  id: '00000000-0000-4000-8000-000000000001',
  name: 'atlas',
  stableName: 'ATLAS worker',
  properties: {},
  requiredProperties: ['image_build_date'],
  sites: { labels: { experiment: 'atlas' } },
  waves: [],
  soakSeconds: 0,
  manualWaves: false,
  prestage: true,
  failureThreshold: 0,
  follows: 'latest',
  keepMode: 'last',
  keepLast: 2,
  graceSeconds: 86400,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  ...fields,
});

test('families are read in order with their lines, as the API’s fields', () => {
  const spec = parsePlacementsFile(file, 'f.yaml');
  expect(spec.standingRules.map((r) => r.name)).toEqual(['base']);
  expect(spec.families).toEqual([
    {
      name: 'ubuntu-24.04',
      line: 7,
      fields: {
        stableName: 'Ubuntu 24.04',
        sites: { labels: { tier: 'prod' } },
        waves: [{ labels: { role: 'canary' } }, { regions: ['RegionOne'] }],
        keepMode: 'last',
        keepLast: 3,
        soakSeconds: 600,
        manualWaves: true,
        prestage: false,
        failureThreshold: 0.25,
        follows: 'stable',
        graceSeconds: 3600,
        // A number YAML read is sent as its text, as Glance keeps properties.
        properties: { replace_frequency: 'weekly', hotfix_hours: '0' },
        requiredProperties: ['image_original_user'],
      },
    },
    {
      name: 'atlas',
      line: 22,
      fields: {
        stableName: 'ATLAS worker',
        sites: { labels: { experiment: 'atlas' } },
        keepMode: 'until',
      },
      providedUntil: '2027-06-30',
    },
    {
      name: 'forever',
      line: 26,
      fields: { stableName: 'Kept', sites: { types: ['ec2'] }, keepMode: 'forever' },
    },
  ]);
});

test('a file of families alone needs no placements or rules', () => {
  const spec = parsePlacementsFile(
    'families:\n  - family: f\n    stable_name: F\n    sites: { types: [ec2] }\n    keep: until\n',
    'f.yaml',
  );
  expect(spec.rules).toEqual([]);
  expect(spec.standingRules).toEqual([]);
  expect(spec.families).toEqual([
    {
      name: 'f',
      line: 2,
      fields: { stableName: 'F', sites: { types: ['ec2'] }, keepMode: 'until' },
    },
  ]);
});

test('bad names, missing keys, bad keeps and unknown keys each name their line and the fix', () => {
  const message = errorOf(() =>
    parsePlacementsFile(
      [
        'families:',
        '  - family: Ubuntu 24.04',
        '    stable_name: Ubuntu',
        '    sites: { labels: { tier: prod } }',
        '  - family: no-name',
        '    sites: { labels: { tier: prod } }',
        '    keep: 0',
        '  - family: bad-keep',
        '    stable_name: X',
        '    sites: { types: [ec2] }',
        '    keep: last-3',
        '    soak: 10m',
        '    failure_threshold: 1',
        '',
      ].join('\n'),
      'f.yaml',
    ),
  );
  expect(message.split('\n')).toEqual([
    'f.yaml is not a valid placements file:',
    '  f.yaml:2: families.0.family: must be a key of lower-case letters, digits, ".", "_" and "-" (at most 63, starting with a letter or digit), e.g. ubuntu-24.04',
    '  f.yaml:5: families.1: "stable_name" is missing',
    '  f.yaml:7: families.1.keep: must be a number N (keep the last N versions), forever, until (each version until its own provided_until) or a date like 2027-06-30 (the family’s provided_until)',
    '  f.yaml:11: families.2.keep: must be a number N (keep the last N versions), forever, until (each version until its own provided_until) or a date like 2027-06-30 (the family’s provided_until)',
    '  f.yaml:12: families.2.soak: unknown key "soak": remove it',
    '  f.yaml:13: families.2.failure_threshold: must be < 1',
    'See examples/placements.yaml for the format.',
  ]);
});

test('empty selectors, bad labels, property keys, dates and repeated families once the schema is met', () => {
  const message = errorOf(() =>
    parsePlacementsFile(
      [
        'families:',
        '  - family: a',
        '    stable_name: A',
        '    sites: {}',
        '    waves: [{ labels: { Tier: canary } }, {}]',
        '  - family: c',
        '    stable_name: C',
        '    sites: { types: [ec2] }',
        '    keep: 2027-13-45',
        '    properties: { Provided-Until: x }',
        '    required_properties: [image_build_date, "bad key"]',
        '  - family: d',
        '    stable_name: D',
        '    sites: { types: [ec2] }',
        '    keep: 2027-06-30',
        '    properties: { provided_until: 2027-07-01 }',
        '  - family: a',
        '    stable_name: A2',
        '    sites: { types: [ec2] }',
        '',
      ].join('\n'),
      'f.yaml',
    ),
  );
  expect(message.split('\n')).toEqual([
    'f.yaml is not a valid placements file:',
    '  f.yaml:4: families.0.sites: selects no site: give labels, types, regions or ids',
    expect.stringMatching(
      /^ {2}f\.yaml:5: families\.0\.waves\.0\.labels: label key "Tier" is not valid/,
    ),
    '  f.yaml:5: families.0.waves.1: selects no site: give labels, types, regions or ids',
    '  f.yaml:9: families.1.keep: 2027-13-45 is not a date: write one like 2027-06-30',
    '  f.yaml:10: families.1.properties.Provided-Until: "Provided-Until" is not a property key: lower-case letters, digits, "_" and ":", starting with a letter',
    '  f.yaml:11: families.1.required_properties.1: "bad key" is not a property key: lower-case letters, digits, "_" and ":", starting with a letter',
    '  f.yaml:15: families.2.keep: keeps until 2027-06-30 but properties.provided_until is 2027-07-01: give the date once',
    '  f.yaml:17: families.3.family: family "a" is written twice: one entry per family',
    'See examples/placements.yaml for the format.',
  ]);
});

test('the plan creates new families, changes only what differs, and leaves out-of-file ones', () => {
  const { families } = parsePlacementsFile(file, 'f.yaml');
  const changes = planFamilies(families, [
    // Unchanged but for the key order jsonb gives back, and keep forever.
    stored({
      name: 'forever',
      stableName: 'Kept',
      sites: { types: ['ec2'] },
      keepMode: 'forever',
      keepLast: 5,
    }),
    stored({ name: 'atlas', properties: { replace_frequency: 'weekly' }, keepLast: 3 }),
    stored({ name: 'old-family' }),
  ]);
  expect(changes).toEqual([
    {
      name: 'ubuntu-24.04',
      action: 'create',
      body: { name: 'ubuntu-24.04', ...families[0]!.fields },
    },
    {
      name: 'atlas',
      action: 'update',
      // keep's date lies over the properties the family holds, as the file gives none.
      changes: {
        keep: { from: 3, to: 'until' },
        properties: {
          from: { replace_frequency: 'weekly' },
          to: { replace_frequency: 'weekly', provided_until: '2027-06-30' },
        },
      },
      body: {
        keepMode: 'until',
        properties: { replace_frequency: 'weekly', provided_until: '2027-06-30' },
      },
    },
    { name: 'forever', action: 'unchanged' },
    { name: 'old-family', action: 'left' },
  ]);
  expect(renderFamilyChanges(changes, false).split('\n')).toEqual([
    '+ create family ubuntu-24.04: stable_name "Ubuntu 24.04"; sites labels tier=prod; ' +
      'waves (labels role=canary) → (regions RegionOne); keep 3; grace_seconds 3600; ' +
      'soak_seconds 600; manual_waves true; prestage false; failure_threshold 0.25; follows stable; ' +
      'properties {replace_frequency=weekly, hotfix_hours=0}; required_properties [image_original_user]',
    '~ change family atlas: keep 3 → until; properties {replace_frequency=weekly} → ' +
      '{replace_frequency=weekly, provided_until=2027-06-30}',
    '= family forever: unchanged',
    '· family old-family stays as it is (not in the file); glint release family delete old-family forgets it',
    '1 family to create, 1 to change, 1 unchanged, 1 not in the file.',
  ]);
  expect(renderFamilyChanges(changes, true).split('\n')[0]).toMatch(
    /^\+ created family ubuntu-24\.04: /,
  );
});

test('a selector written in another key order than jsonb keeps it is no change', () => {
  const { families } = parsePlacementsFile(
    'families:\n  - family: f\n    stable_name: F\n    sites: { types: [ec2], labels: { b: "1", a: "2" } }\n',
    'f.yaml',
  );
  const current = stored({
    name: 'f',
    stableName: 'F',
    sites: { labels: { a: '2', b: '1' }, types: ['ec2'] },
  });
  expect(planFamilies(families, [current])).toEqual([{ name: 'f', action: 'unchanged' }]);
  // A key the entry leaves out keeps the family's value: no change.
  expect(planFamilies(families, [{ ...current, soakSeconds: 900 }])).toEqual([
    { name: 'f', action: 'unchanged' },
  ]);
});
