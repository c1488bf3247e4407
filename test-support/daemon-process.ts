/**
 * `glint-daemon` as real processes, for tests and benchmarks that must kill, restart or run
 * several of them: bundled once with esbuild, as it runs in production (no TypeScript loader).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..');

/** Bundles packages/daemon/src/main.ts into `dir`; returns the script's path. */
export async function bundleDaemon(dir: string): Promise<string> {
  const outfile = join(dir, 'glint-daemon.js');
  await build({
    entryPoints: [join(root, 'packages', 'daemon', 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    tsconfig: join(root, 'tsconfig.test.json'),
    // The AWS SDK loads on a daemon's first EC2 call, from node_modules as from dist/ in
    // production: bundled, its ~3 MB of code would cost every daemon ~15 MiB before any copy.
    external: ['pg-native', '@aws-sdk/*', '@smithy/*'],
    // Comments out: a single character beyond Latin-1 in one of them (a library's ’ or →) makes
    // V8 hold the whole script as two bytes a character, ~19 MiB for this one. Names stay, for
    // readable stacks.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    logLevel: 'warning',
  });
  return outfile;
}

export interface DaemonProcess {
  child: ChildProcess;
  /** Every line it logged so far. */
  log: string[];
  exited: Promise<number | null>;
}

/** Starts a daemon with exactly `env` (and PATH); resolves once it says it runs its workers. */
export async function startDaemonProcess(
  script: string,
  env: Record<string, string>,
): Promise<DaemonProcess> {
  // As deploy/systemd/glint-daemon.service runs it.
  const child = spawn(process.execPath, ['--max-semi-space-size=1', script], {
    cwd: root,
    // Where the packages left out of the bundle are found.
    env: { PATH: process.env.PATH!, NODE_PATH: join(root, 'node_modules'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  let running: () => void;
  const started = new Promise<void>((resolve) => (running = resolve));
  const collect = (chunk: Buffer) => {
    const lines = chunk.toString().split('\n').filter(Boolean);
    log.push(...lines);
    if (lines.some((line) => /glint-daemon: .*\brunning\b/.test(line))) running();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  const failed = exited.then((code) => {
    throw new Error(`glint-daemon exited (${code}) before it ran:\n${log.join('\n')}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const tooLong = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`glint-daemon did not start within 60 s:\n${log.join('\n')}`)),
      60_000,
    );
  });
  try {
    await Promise.race([started, failed, tooLong]);
  } finally {
    clearTimeout(timer);
    failed.catch(() => {});
    tooLong.catch(() => {});
  }
  return { child, log, exited };
}

/** SIGTERM, and SIGKILL if it has not exited within `graceMs`. */
export async function stopDaemonProcess(daemon: DaemonProcess, graceMs = 30_000): Promise<void> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  daemon.child.kill('SIGTERM');
  const killed = setTimeout(() => daemon.child.kill('SIGKILL'), graceMs);
  await daemon.exited;
  clearTimeout(killed);
}

/** What a daemon logged when it fell over: an error nothing handled, or main()'s last word. */
export const crashLines = (daemon: DaemonProcess) =>
  daemon.log.filter((line) => /glint-daemon: failed|Unhandled|uncaught|^\s+at /i.test(line));
