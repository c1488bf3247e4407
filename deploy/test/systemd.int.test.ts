import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

// systemd-analyze (Debian's systemd package; deploy/test-env installs it) checks the units offline.
const run = promisify(execFile);
const units = ['glint-api.service', 'glint-daemon.service'].map((unit) =>
  join(__dirname, '..', 'systemd', unit),
);

test.each(units)('%s passes systemd-analyze verify with no warning about it', async (unit) => {
  const { stdout, stderr } = await run('systemd-analyze', ['verify', '--man=no', unit]);
  // verify also reports on unrelated units installed on the machine; only ours matter here.
  const ours = `${stdout}${stderr}`.split('\n').filter((line) => line.includes('glint-'));
  expect(ours).toEqual([]);
});

test.each(units)('%s is hardened: systemd-analyze security rates it 2.0 or lower', async (unit) => {
  const { stdout } = await run('systemd-analyze', [
    'security',
    '--offline=true',
    '--no-pager',
    unit,
  ]);
  const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(stdout)?.[1]);
  expect(exposure).toBeLessThanOrEqual(2.0);
});

test.each(units)('%s runs on Node 24', async (unit) => {
  const node = /^ExecStart=(\S+) /m.exec(await readFile(unit, 'utf8'))![1]!;
  const { stdout } = await run(node, ['-p', 'process.versions.node']);
  expect(Number(stdout.split('.')[0])).toBeGreaterThanOrEqual(24);
});

test('a unit with a setting systemd cannot read is caught, so the check above can fail', async () => {
  const bad = join(__dirname, '..', '..', 'test-output', 'glint-bad.service');
  await mkdir(join(bad, '..'), { recursive: true });
  await writeFile(bad, '[Service]\nExecStart=/usr/bin/node x\nNoNewPrivileges=maybe\n');
  const { stderr } = await run('systemd-analyze', ['verify', '--man=no', bad]);
  expect(stderr).toMatch(/glint-bad\.service:3: Failed to parse boolean value/);
});
