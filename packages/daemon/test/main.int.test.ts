/** The `glint-daemon` process itself, run from source as its bin runs the build. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const main = join(__dirname, '..', 'src', 'main.ts');

/** Starts the daemon with `env`; resolves with its exit code and what it logged. */
function daemon(env: Record<string, string>, onLog: (text: string, kill: () => void) => void) {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', main],
    {
      cwd: root,
      env: { PATH: process.env.PATH!, TS_NODE_PROJECT: 'tsconfig.test.json', ...env },
    },
  );
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    onLog(log, () => child.kill('SIGTERM'));
  });
  return new Promise<{ code: number | null; log: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, log })),
  );
}

const settings = {
  GLINT_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  GLINT_REDIS_URL: 'redis://127.0.0.1:6379',
  GLINT_REDIS_PREFIX: `glint-test:${randomBytes(6).toString('hex')}:`,
  GLINT_CREDENTIAL_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  GLINT_CREDENTIAL_KEY_ID: 'k1',
};

test('it starts every worker, and SIGTERM stops it cleanly', async () => {
  const { code, log } = await daemon(settings, (text, kill) => {
    if (text.includes('running')) kill();
  });
  expect(log).toMatch(/running glint-inventory, glint-reconcile, glint-transfer, glint-delete/);
  expect(log).toMatch(/stopping: taking no more jobs/);
  expect(log).not.toMatch(/grace period over/);
  expect(code).toBe(0);
});

test('a missing setting stops start-up, naming it', async () => {
  const incomplete = Object.fromEntries(
    Object.entries(settings).filter(([name]) => name !== 'GLINT_CREDENTIAL_KEY_ID'),
  );
  const { code, log } = await daemon(incomplete, () => {});
  expect(code).toBe(2);
  expect(log).toBe('glint-daemon: cannot start: GLINT_CREDENTIAL_KEY_ID is not set\n');
});
