import {
  controlPlan,
  followed,
  nextWavePlan,
  promotePlan,
  rollbackPlan,
} from '../src/releases/release-plan';
import { releaseFixture } from './release-fixture';

const details = releaseFixture();
const byName = (name: string) => details.versions.find((v) => v.version === name)!;
const lines = (plan: ReturnType<typeof promotePlan>) =>
  plan.changes.map((c) => [c.siteName, c.change, c.copies, c.unchanged]);

test('the followed version is the one the followed channel points at', () => {
  expect(followed(details)?.version).toBe('2026.12.06');
});

test('promoting an older version to the followed channel swaps the names where it is hidden', () => {
  const plan = promotePlan(details, byName('2026.11.29'));
  expect(plan.refusal).toBeNull();
  expect(plan.path).toBe('/releases/atlas-worker/promote');
  expect(plan.body).toEqual({ version: '2026.11.29', channel: 'latest' });
  expect(lines(plan)).toEqual([
    [
      'canary',
      '2026.11.29 takes “ATLAS worker”; 2026.12.06 becomes “ATLAS worker (2026.12.06)”, hidden',
      false,
      false,
    ],
    ['two', '2026.11.29 keeps “ATLAS worker”', false, true],
    ['three', '2026.11.29 keeps “ATLAS worker”', false, true],
  ]);
});

test('promoting to a channel the stable name does not follow changes no site', () => {
  const plan = promotePlan(details, byName('2026.12.06'), 'candidate');
  expect(plan.changes).toEqual([]);
  expect(plan.summary).toMatch(/follows latest, so no site changes/);
});

test('a retired version cannot be promoted, as the API refuses it', () => {
  const plan = promotePlan(details, byName('2026.11.22'));
  expect(plan.refusal).toMatch(/retired/);
});

test('rolling back points the channel at its previous version; sites where it is gone copy it', () => {
  const plan = rollbackPlan(details);
  expect(plan.summary).toBe('Channel latest goes back from 2026.12.06 to 2026.11.29.');
  expect(plan.body).toEqual({ channel: 'latest' });
  expect(lines(plan)[0]![1]).toMatch(/^2026\.11\.29 takes “ATLAS worker”/);
  const gone = releaseFixture();
  gone.versions[1]!.sites[0]!.state = 'deleted';
  expect(rollbackPlan(gone).changes[0]).toMatchObject({ siteName: 'canary', copies: true });
});

test('a channel without a previous version has nothing to roll back to', () => {
  const first = releaseFixture();
  first.channels[0]!.previousVersion = null;
  expect(rollbackPlan(first).refusal).toBe('channel latest has no earlier version to go back to');
});

test('a halt keeps switched sites and stops the others; a resume retries the failed copies', () => {
  const halt = controlPlan(details, 'halt');
  expect(halt.refusal).toBeNull();
  expect(lines(halt)).toEqual([
    ['canary', 'keeps 2026.12.06 as “ATLAS worker”', false, true],
    ['two', 'copying: does not switch to 2026.12.06 until resumed', false, false],
    ['three', 'failed: does not switch to 2026.12.06 until resumed', false, false],
  ]);
  expect(controlPlan(details, 'resume').refusal).toBe('2026.12.06 is not halted');
  const resume = controlPlan(releaseFixture({ haltedReason: 'halted by demo' }), 'resume');
  expect(resume.refusal).toBeNull();
  expect(resume.path).toBe('/releases/atlas-worker/resume');
  expect(lines(resume)[2]).toEqual([
    'three',
    'its failed copy of 2026.12.06 is tried again',
    true,
    false,
  ]);
});

test('the next wave of a family whose waves wait for a person switches that wave’s sites', () => {
  expect(nextWavePlan(details).refusal).toBe('the family’s waves start by themselves');
  const manual = releaseFixture({ wave: 0 });
  manual.family.manualWaves = true;
  const plan = nextWavePlan(manual);
  expect(plan.path).toBe('/releases/atlas-worker/waves/next');
  expect(plan.summary).toBe('Wave 2 of 2026.12.06 starts.');
  expect(plan.changes.map((c) => [c.siteName, c.copies])).toEqual([
    ['two', true],
    ['three', true],
  ]);
  expect(plan.changes[0]!.change).toBe(
    '2026.12.06 finishes copying here, then takes “ATLAS worker”; 2026.11.29 becomes “ATLAS worker (2026.11.29)”, hidden',
  );
  expect(nextWavePlan(releaseFixture({ wave: 1 })).refusal).toBe(
    'the family’s waves start by themselves',
  );
  manual.versions[0]!.wave = 1;
  expect(nextWavePlan(manual).refusal).toBe('every wave has started');
});
