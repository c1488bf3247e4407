import {
  globPattern,
  imageMatches,
  labelProblems,
  MAX_SITE_LABELS,
  siteMatches,
  type SelectableImage,
  type SelectableSite,
} from '@glint/core';

const atlasSite: SelectableSite = {
  id: '11111111-1111-4111-8111-111111111111',
  type: 'openstack',
  region: 'RegionOne',
  labels: { experiment: 'atlas', tier: 'gold' },
};
const ec2Site: SelectableSite = {
  id: '22222222-2222-4222-8222-222222222222',
  type: 'ec2',
  region: null,
  labels: {},
};
const ubuntu: SelectableImage = {
  id: '33333333-3333-4333-8333-333333333333',
  name: 'ubuntu-24.04-x86_64',
  properties: { os_distro: 'ubuntu', os_version: '24.04' },
};

describe('site selectors', () => {
  test('an empty selector matches no site', () => {
    expect(siteMatches({}, atlasSite)).toBe(false);
    expect(siteMatches({}, ec2Site)).toBe(false);
  });

  test('every label given must be there with its value', () => {
    expect(siteMatches({ labels: { experiment: 'atlas' } }, atlasSite)).toBe(true);
    expect(siteMatches({ labels: { experiment: 'atlas', tier: 'gold' } }, atlasSite)).toBe(true);
    expect(siteMatches({ labels: { experiment: 'atlas', tier: 'silver' } }, atlasSite)).toBe(false);
    expect(siteMatches({ labels: { experiment: 'cms' } }, atlasSite)).toBe(false);
    expect(siteMatches({ labels: { experiment: 'atlas' } }, ec2Site)).toBe(false);
  });

  test('a label map inherited from Object.prototype is no label', () => {
    expect(siteMatches({ labels: { toString: 'x' } }, ec2Site)).toBe(false);
  });

  test('fields are ANDed, values inside a list ORed', () => {
    expect(siteMatches({ types: ['ec2', 'openstack'] }, atlasSite)).toBe(true);
    expect(siteMatches({ types: ['ec2'], labels: { experiment: 'atlas' } }, atlasSite)).toBe(false);
    expect(siteMatches({ regions: ['RegionTwo', 'RegionOne'] }, atlasSite)).toBe(true);
    expect(siteMatches({ regions: ['RegionOne'] }, ec2Site)).toBe(false);
    expect(siteMatches({ ids: [ec2Site.id] }, ec2Site)).toBe(true);
    expect(siteMatches({ ids: [ec2Site.id], types: ['openstack'] }, ec2Site)).toBe(false);
  });

  test('an empty list given matches nothing, as an OR of no values', () => {
    expect(siteMatches({ types: [] }, atlasSite)).toBe(false);
  });

  test('an empty label map constrains nothing, so alone it matches no site', () => {
    expect(siteMatches({ labels: {} }, ec2Site)).toBe(false);
    expect(siteMatches({ labels: {}, types: ['ec2'] }, ec2Site)).toBe(true);
  });
});

describe('image selectors', () => {
  test('an empty selector matches no image', () => {
    expect(imageMatches({}, ubuntu)).toBe(false);
  });

  test('names are whole-name globs with * and ?', () => {
    expect(imageMatches({ names: ['ubuntu-*'] }, ubuntu)).toBe(true);
    expect(imageMatches({ names: ['ubuntu-24.04-x86_6?'] }, ubuntu)).toBe(true);
    expect(imageMatches({ names: ['ubuntu'] }, ubuntu)).toBe(false);
    expect(imageMatches({ names: ['debian-*', '*x86_64'] }, ubuntu)).toBe(true);
    // A dot is a dot, not any character.
    expect(imageMatches({ names: ['ubuntu-24x04-*'] }, ubuntu)).toBe(false);
  });

  test('glob metacharacters of regular expressions stay literal', () => {
    expect(globPattern('a+b(c)').test('a+b(c)')).toBe(true);
    expect(globPattern('a+b(c)').test('aab(c)')).toBe(false);
    expect(globPattern('[x]*').test('[x]yz')).toBe(true);
  });

  test('properties must all be equal, ids must include the image', () => {
    expect(imageMatches({ properties: { os_distro: 'ubuntu' } }, ubuntu)).toBe(true);
    expect(imageMatches({ properties: { os_distro: 'ubuntu', os_version: '22.04' } }, ubuntu)).toBe(
      false,
    );
    expect(imageMatches({ properties: { hw_firmware_type: 'uefi' } }, ubuntu)).toBe(false);
    expect(imageMatches({ ids: [ubuntu.id], names: ['ubuntu-*'] }, ubuntu)).toBe(true);
    expect(imageMatches({ ids: [atlasSite.id] }, ubuntu)).toBe(false);
  });
});

describe('labels', () => {
  test('Kubernetes-like keys and values pass', () => {
    expect(
      labelProblems({
        experiment: 'atlas',
        'glint.example.org/tier': 'gold_1',
        'a-b.c_d': '',
        x: 'A'.repeat(63),
      }),
    ).toEqual([]);
  });

  test('bad keys and values are named with how to fix them', () => {
    const problems = labelProblems({
      Experiment: 'atlas',
      '-x': 'ok',
      ok: 'has space',
      long: 'a'.repeat(64),
      ['k'.repeat(64)]: 'v',
    });
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/label key "Experiment" is not valid: use lower-case/);
    expect(problems[2]).toMatch(/label value of "ok" is not valid/);
  });

  test(`at most ${MAX_SITE_LABELS} labels`, () => {
    const many = Object.fromEntries(
      Array.from({ length: MAX_SITE_LABELS + 1 }, (_, i) => [`k${i}`, 'v']),
    );
    expect(labelProblems(many)).toEqual([`a site takes at most 32 labels, not 33`]);
  });
});
