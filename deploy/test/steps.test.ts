import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// deploy/lib/steps.sh, which the quickstart and test-env use: one line per step, the output in a log,
// and apt installing only what is missing. The apt tests run Debian's real apt-get and dpkg-query on
// a package database and repository of their own (APT_CONFIG, DPKG_ADMINDIR), in apt's simulation
// mode, so they change nothing on the machine.
const run = promisify(execFile);
const lib = join(__dirname, '..', 'lib', 'steps.sh');
const dir = mkdtempSync(join(tmpdir(), 'glint-steps-'));
const log = join(dir, 'steps.log');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function steps(script: string, env: NodeJS.ProcessEnv = process.env) {
  const program = `set -euo pipefail; step_prefix=t; step_log=${log}; : >>"$step_log"; . ${lib}\n${script}`;
  try {
    const { stdout, stderr } = await run('bash', ['-c', program], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

test('a step prints one line with its time; what the command prints goes to the log', async () => {
  const result = await steps('step "counting" seq 1 500');
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expect(result.stdout).toMatch(/^t: counting … \d+\.\d s\n$/);
  expect(readFileSync(log, 'utf8')).toMatch(/==== \S+ counting\n1\n2\n[\s\S]*\n500\n$/);
});

test('a failing step shows its own last lines, names the log and ends the script', async () => {
  const result = await steps(
    'step "warming up" echo earlier output\n' +
      'fails() { echo one; echo "two: the reason"; false; echo not reached; }\n' +
      'step "failing" fails\n' +
      'echo after',
  );
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/^t: warming up … [\d.]+ s\nt: failing … failed after [\d.]+ s/);
  expect(result.stdout).not.toContain('after\n');
  expect(result.stderr).toBe(`one\ntwo: the reason\nt: the whole log: ${log}\n`);
});

describe('apt_install, on a package database of its own', () => {
  const root = join(dir, 'apt');
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    for (const sub of ['etc/apt.conf.d', 'etc/sources.list.d', 'etc/preferences.d', 'repo'])
      mkdirSync(join(root, sub), { recursive: true });
    for (const sub of ['state/lists/partial', 'cache/archives/partial', 'dpkg/updates', 'log'])
      mkdirSync(join(root, sub), { recursive: true });
    const entry = (name: string, version: string, fields: string) =>
      `Package: ${name}\nVersion: ${version}\nArchitecture: all\n` +
      `Maintainer: Glint tests <tests@example.org>\nDescription: ${name}\n${fields}\n`;
    // Installed: a library and a tool at 1.0; the repository has newer versions of both.
    writeFileSync(
      join(root, 'dpkg', 'status'),
      entry('old-lib', '1.0', 'Status: install ok installed\n') +
        entry('tool', '1.0', 'Status: install ok installed\n'),
    );
    const file = (name: string, version: string) =>
      `Filename: ./${name}_${version}_all.deb\nSize: 1\n`;
    writeFileSync(
      join(root, 'repo', 'Packages'),
      entry('old-lib', '1.1', file('old-lib', '1.1')) +
        entry('tool', '2.0', file('tool', '2.0')) +
        entry('new-app', '1.0', `${file('new-app', '1.0')}Depends: old-lib (>= 1.0)\n`) +
        entry('needy-app', '1.0', `${file('needy-app', '1.0')}Depends: old-lib (>= 1.1)\n`),
    );
    writeFileSync(join(root, 'etc', 'sources.list'), `deb [trusted=yes] file:${root}/repo ./\n`);
    writeFileSync(
      join(root, 'apt.conf'),
      [
        `Dir::Etc "${root}/etc/";`,
        `Dir::State "${root}/state/";`,
        `Dir::State::status "${root}/dpkg/status";`,
        `Dir::Cache "${root}/cache/";`,
        `Dir::Log "${root}/log/";`,
        'Debug::NoLocking "true";',
        'APT::Sandbox::User "root";',
        // Decide, print and do nothing: dpkg never runs.
        'APT::Get::Simulate "true";',
        '',
      ].join('\n'),
    );
    env = { ...process.env, APT_CONFIG: join(root, 'apt.conf'), DPKG_ADMINDIR: join(root, 'dpkg') };
  });

  test('installs only what is missing, and upgrades neither a package named nor its dependencies', async () => {
    const result = await steps('apt_install tool new-app', env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      /^t: apt: reading the package lists \(apt-get update\) … [\d.]+ s\nt: apt: installing new-app … [\d.]+ s\n$/,
    );
    const actions = readFileSync(log, 'utf8').match(/^Inst .*$/gm);
    expect(actions).toEqual([expect.stringMatching(/^Inst new-app \(1\.0 /)]);
  });

  test('names the installed packages a new one needs newer versions of', async () => {
    const result = await steps('apt_install needy-app', env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      't: apt: the new packages need newer versions of old-lib, which apt upgrades\n',
    );
  });

  test('does nothing, not even apt-get update, when everything is installed', async () => {
    const result = await steps('apt_install tool old-lib', env);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
