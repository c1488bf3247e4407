/**
 * `glint site label`, `glint rule list|show|set|rm` and the `rules:` section of `glint plan|apply
 * -f` against the real API and PostgreSQL, as the sandbox's demo user (an admin of project demo).
 * Two sandbox sites, east and west; the images are seeded straight into PostgreSQL (no copy runs
 * here, so what rules imply stays to do): base-1 on both, base-2 and other on east alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  addSandboxSites,
  login,
  testEnvironment,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { sandboxCloud } from '../../../test-support/sandbox';
import { bundleGlint, openrcText, openstackEnv, runGlint, type GlintResult } from './glint-process';

let env: TestEnvironment;
let server: FastifyInstance;
let dir: string;
let script: string;
let glintEnv: Record<string, string>;

const glint = (...args: string[]) => runGlint(script, args, glintEnv);
const json = <T>(result: GlintResult): T => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};
const ruleNames = async () =>
  json<{ name: string }[]>(await glint('rule', 'list', '--json')).map((rule) => rule.name);

async function seedImages(ownerId: string) {
  await env.query(
    `INSERT INTO images (owner_id, name, hash_algo, hash_value, size)
     SELECT $1, n, 'sha512', md5(n), 1048576 FROM unnest(ARRAY['base-1', 'base-2', 'other']) n`,
    [ownerId],
  );
  await env.query(
    `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, hash_algo, hash_value,
       size, visibility, status, glint_content_hash, seen_at)
     SELECT $1, s.id, s.name || '-' || i.name, i.id, i.name, i.hash_algo, i.hash_value, i.size,
            'private', 'active', i.hash_algo || ':' || i.hash_value, now()
     FROM images i JOIN sites s ON s.owner_id = i.owner_id
     WHERE i.owner_id = $1 AND (s.name = 'east' OR i.name = 'base-1')`,
    [ownerId],
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'glint-rules-'));
  script = await bundleGlint(dir);
  env = await testEnvironment();
  server = await env.start();
  await addSandboxSites(server, await login(server), { east: 1, west: 2 });
  const [project] = await env.query<{ id: string }>("SELECT id FROM projects WHERE name = 'demo'");
  await seedImages(project!.id);
  await server.listen({ port: 0, host: '127.0.0.1' });
  glintEnv = {
    HOME: dir,
    GLINT_CONFIG_DIR: join(dir, 'config'),
    GLINT_API_URL: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    ...openstackEnv(),
  };
  expect((await glint('login')).code).toBe(0);
});

afterAll(async () => {
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('site labels', () => {
  test('label sets key=value and removes key-; site list and show print them', async () => {
    const set = await glint('site', 'label', 'west', 'tier=prod', 'zone=b');
    expect(set.code).toBe(0);
    expect(set.stdout.trim()).toBe('Labels of west: tier=prod,zone=b.');
    expect(json(await glint('site', 'label', 'west', 'zone-', '--json'))).toEqual({
      site: 'west',
      labels: { tier: 'prod' },
    });
    const listed = await glint('site', 'label', 'WEST', '--list');
    expect(listed.stdout.trim().split('\n')).toEqual(['KEY   VALUE', 'tier  prod']);
    const sites = await glint('site', 'list');
    expect(sites.stdout).toMatch(/^NAME +TYPE +REGION +USER +LABELS +INVENTORIED/);
    expect(sites.stdout).toMatch(/^west +openstack +\S+ +demo +tier=prod /m);
    expect(sites.stdout).toMatch(/^east +openstack +\S+ +demo +- /m);
    expect((await glint('site', 'show', 'west', '--no-check')).stdout).toMatch(
      /^labels: +tier=prod$/m,
    );
  });

  test.each([
    [['Tier=prod'], /label key "Tier" is not valid/],
    [['tier'], /"tier" is neither key=value \(to set a label\) nor key- \(to remove one\)/],
    [['tier=prod', 'tier-'], /"tier" is both set and removed/],
    [[`tier=${'x'.repeat(64)}`], /label value of "tier" is not valid/],
  ])('site label west %j is a usage error (exit 2) that changes nothing', async (args, message) => {
    const result = await glint('site', 'label', 'west', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(json(await glint('site', 'label', 'west', '--json'))).toEqual({
      site: 'west',
      labels: { tier: 'prod' },
    });
  });
});

describe('rules', () => {
  test('set from flags creates a rule and prints what it implies now; list and show it', async () => {
    const created = await glint(
      'rule',
      'set',
      'base-on-prod',
      '--image-name',
      'base-*',
      '--site-label',
      'tier=prod',
      '--description',
      'the base images on production',
      '--prune',
    );
    expect(created.code).toBe(0);
    // base-1 is on west already; base-2 is to be copied there.
    expect(created.stdout.trim().split('\n')).toEqual([
      'Created rule base-on-prod. It implies now:',
      '+ copy   base-2 to west',
      '1 copy, 0 deletes.',
    ]);

    const list = await glint('rule', 'list');
    expect(list.stdout).toMatch(/^NAME +IMAGES +SITES +PRUNE +UPDATED$/m);
    expect(list.stdout).toMatch(/^base-on-prod +names base-\* +labels tier=prod +yes +\S+$/m);

    const shown = await glint('rule', 'show', 'base-on-prod');
    expect(shown.stdout).toMatch(/^description: +the base images on production$/m);
    expect(shown.stdout).toMatch(/^sites: +labels tier=prod$/m);
    expect(shown.stdout).toContain('It implies now:\n+ copy   base-2 to west\n1 copy, 0 deletes.');
    expect(
      json<{ rule: { prune: boolean } }>(await glint('rule', 'show', 'base-on-prod', '--json')),
    ).toMatchObject({ rule: { name: 'base-on-prod', prune: true } });
  });

  test('set replaces a rule whole; sites may be named', async () => {
    const replaced = json<{ created: boolean; rule: { sites: unknown; prune: boolean } }>(
      await glint(
        'rule',
        'set',
        'everything-east',
        '--image-name',
        '*',
        '--site',
        'EAST',
        '--json',
      ),
    );
    expect(replaced.created).toBe(true);
    const [east] = await env.query<{ id: string }>("SELECT id FROM sites WHERE name = 'east'");
    expect(replaced.rule).toMatchObject({ sites: { ids: [east!.id] }, prune: false });
    const again = await glint(
      'rule',
      'set',
      'everything-east',
      '--image-name',
      'other',
      '--site',
      'east',
    );
    expect(again.stdout).toMatch(
      /^Replaced rule everything-east\. It implies now:\n0 copies, 0 deletes\.$/m,
    );
    expect((await glint('rule', 'list')).stdout).toMatch(
      /^everything-east +names other +ids east +no /m,
    );
  });

  test.each([
    [['rule', 'set', 'no-sites', '--image-name', 'x'], 2, /no site selector: give --site-label/],
    [['rule', 'set', 'no-images', '--site-type', 'openstack'], 2, /no image selector/],
    [
      ['rule', 'set', 'Bad_Name', '--image-name', 'x', '--site-type', 'ec2'],
      2,
      /is not a rule name/,
    ],
    [
      ['rule', 'set', 'x', '--image-name', 'x', '--site-label', 'tier'],
      2,
      /--site-label takes key=value, not "tier"/,
    ],
    [
      ['rule', 'set', 'x', '--image-name', 'x', '--site', 'nowhere'],
      1,
      /no site is called "nowhere"/,
    ],
    [['rule', 'show', 'missing'], 1, /there is no rule missing.*\[rule_not_found, HTTP 404\]/],
    [['rule', 'set', 'x', '-f', 'r.yaml', '--image-name', 'x'], 2, /cannot be used with option/],
  ])('glint %j exits %i saying what is wrong, and saves nothing', async (args, code, message) => {
    const before = await ruleNames();
    const result = await glint(...args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(await ruleNames()).toEqual(before);
  });

  test('set -f reads one rule from a file; its mistakes are named with their lines', async () => {
    const file = join(dir, 'rule.yaml');
    await writeFile(
      file,
      'name: other-on-prod\nimages:\n  names: [other]\nsites:\n  labels: { tier: prod }\n',
    );
    const saved = await glint('rule', 'set', '-f', file);
    expect(saved.stdout).toContain(
      'Created rule other-on-prod. It implies now:\n+ copy   other to west',
    );

    await writeFile(
      file,
      'name: broken\nimages: {}\nsites:\n  labels: { Tier: prod }\n  sites: [a]\n',
    );
    const refused = await glint('rule', 'set', '-f', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${file} is not a valid rule file:`);
    expect(refused.stderr).toContain(`${file}:5: sites.sites: unknown key "sites": remove it`);
    expect(await ruleNames()).not.toContain('broken');
  });

  test('plan -f previews the rules of a file and saves nothing; apply -f saves them', async () => {
    const file = join(dir, 'placements.yaml');
    await writeFile(
      file,
      [
        'placements:',
        '  - images: other',
        '    sites: east',
        'rules:',
        '  - name: base-everywhere',
        '    images: { names: [base-*] }',
        '    sites: { types: [openstack] }',
        '',
      ].join('\n'),
    );
    const plan = await glint('plan', '-f', file);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'Rule base-everywhere would imply now:\n+ copy   base-2 to west\n1 copy, 0 deletes.',
    );
    expect(plan.stdout).toContain('0 copies (0 B to read), 0 deletes, 0 refused, 2 unchanged.');
    expect(await ruleNames()).not.toContain('base-everywhere');
    const planJson = json<{ rules: { name: string; plan: { copies: unknown[] } }[] }>(
      await glint('plan', '-f', file, '--json'),
    );
    expect(planJson.rules).toEqual([
      {
        name: 'base-everywhere',
        plan: {
          copies: [expect.objectContaining({ imageName: 'base-2', siteName: 'west' })],
          deletes: [],
        },
      },
    ]);

    const applied = await glint('apply', '-f', file);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Created rule base-everywhere. It implies now:');
    expect(await ruleNames()).toContain('base-everywhere');
  });

  test('place --by-rules gives a hand "not here" back to the rule, which copies the image again', async () => {
    const decided = () =>
      env.query<{ source: string; wanted: boolean; rule: string | null }>(
        `SELECT p.source, p.wanted, p.rule FROM placements p
         JOIN images i ON i.id = p.image_id JOIN sites s ON s.id = p.site_id
         WHERE i.name = 'base-2' AND s.name = 'west'`,
      );
    expect((await glint('unplace', 'base-2', '--from', 'west')).code).toBe(0);
    expect(await decided()).toEqual([{ source: 'hand', wanted: false, rule: 'base-everywhere' }]);

    const given = await glint('place', 'base-2', '--on', 'west', '--by-rules');
    expect(given.code).toBe(0);
    expect(given.stdout).toMatch(/^\+ copy {3}base-2 \(1\.00 MiB\) from east to west$/m);
    expect(given.stdout).toContain('1 cell given back to the rules.');
    expect(await decided()).toEqual([{ source: 'rule', wanted: true, rule: 'base-everywhere' }]);
    // Once the rules decide the cell, giving it back again changes nothing.
    const again = json<{ givenBack: number; jobs: unknown[] }>(
      await glint('place', 'base-2', '--on', 'west', '--by-rules', '--json'),
    );
    expect(again).toMatchObject({ givenBack: 0, jobs: [] });
  });

  test('place --help describes --by-rules', async () => {
    const help = await glint('place', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--by-rules');
    expect(help.stdout).toContain('give the cells back to the standing rules');
  });

  test('a rules: section with a mistake is refused with its line, and nothing is saved', async () => {
    const file = join(dir, 'bad-rules.yaml');
    await writeFile(
      file,
      'rules:\n  - name: ok-rule\n    images: { names: [x] }\n    sites: { types: [openstack] }\n  - name: no-sites\n    images: { names: [x] }\n    sites: {}\n',
    );
    const result = await glint('apply', '-f', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${file}:7: rules.1.sites: selects no site: give labels, types, regions or ids`,
    );
    expect(await ruleNames()).not.toContain('ok-rule');
  });

  test('rm shows what a pruning rule’s removal deletes and needs --yes for it', async () => {
    // While another rule wants base-1 on west too, removing base-on-prod would delete nothing.
    expect((await glint('rule', 'rm', 'base-everywhere')).code).toBe(0);
    const refused = await glint('rule', 'rm', 'base-on-prod');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('- delete base-1 from west');
    expect(refused.stderr).toContain('run again with --yes to remove it');
    expect(await ruleNames()).toContain('base-on-prod');

    const removed = await glint('rule', 'rm', 'base-on-prod', '--yes');
    expect(removed.code).toBe(0);
    expect(removed.stdout.trim()).toBe('Removed rule base-on-prod.');
    expect(await ruleNames()).not.toContain('base-on-prod');
  });

  test('rm of a rule that does not prune deletes nothing and needs no --yes', async () => {
    const removed = await glint('rule', 'rm', 'everything-east');
    expect(removed.code).toBe(0);
    expect(removed.stdout.trim()).toBe(
      'Removed rule everything-east; it deleted nothing: the copies it placed stay.',
    );
    expect(await ruleNames()).not.toContain('everything-east');
  });
});

describe('labels from the start', () => {
  test('site add --label gives the new site its labels; a bad one is a usage error', async () => {
    const openrc = join(dir, 'north-openrc.sh');
    await writeFile(openrc, openrcText(sandboxCloud(1), true));
    const bad = await glint('site', 'add', 'north', '--openrc', openrc, '--label', 'Tier=dev');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/label key "Tier" is not valid/);
    const added = json<{ name: string; labels: Record<string, string> }>(
      await glint('site', 'add', 'north', '--openrc', openrc, '--label', 'tier=dev', '--json'),
    );
    expect(added).toMatchObject({ name: 'north', labels: { tier: 'dev' } });
  });
});
