import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Node 24 is the runtime (package.json engines); README's test command and CI's (.ci/run) run every
// test on it through deploy/node24, whatever node the machine has.
const root = join(__dirname, '..', '..');
const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
    name: string;
    engines?: { node?: string };
  };
const engines = manifest('.').engines?.node ?? '';

test('the tests run on the Node that package.json engines asks for', () => {
  const [, major, minor] = /^>=(\d+)\.(\d+)$/.exec(engines)!.map(Number);
  const [runningMajor, runningMinor] = process.versions.node.split('.').map(Number);
  const satisfied = runningMajor! > major! || (runningMajor === major && runningMinor! >= minor!);
  // On failure: run them as README says, bash deploy/node24 npm test (or bash deploy/node24 npx jest).
  expect({ node: process.versions.node, satisfies: engines, satisfied }).toEqual({
    node: process.versions.node,
    satisfies: '>=24.11',
    satisfied: true,
  });
});

test('every package asks for the same Node', () => {
  const packages = readdirSync(join(root, 'packages')).map((name) => manifest(`packages/${name}`));
  expect(packages.map((p) => [p.name, p.engines?.node])).toEqual(
    packages.map((p) => [p.name, engines]),
  );
});

test("README's test command is the one CI runs, and it runs the tests on Node 24", () => {
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8')
    .trim()
    .split('\n')
    .pop();
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  expect(ci).toBe('bash deploy/test-env && bash deploy/node24 npm test');
  expect(readme).toContain(`\n${ci}`);
});
