/**
 * Redis's persistence, checked wherever Glint meets its Redis: the quickstart's service check,
 * and the API and the daemon as they start. Each runs against private redis-servers: one set up as
 * production should be (append-only, no eviction), one as Debian's package ships it (no
 * append-only file) with an evicting policy, and one that refuses CONFIG, as managed services may.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redisPersistenceWarnings } from '@glint/core';
import { Redis } from 'ioredis';
import { testEnvironment, type TestEnvironment } from '../../test-support/test-environment';
import {
  bundleDaemon,
  startDaemonProcess,
  stopDaemonProcess,
} from '../../test-support/daemon-process';
import { RedisServer } from '../../test-support/redis-server';

const exec = promisify(execFile);
const root = join(__dirname, '..', '..');

let dir: string;
let kept: RedisServer;
let lost: RedisServer;
let refused: RedisServer;
let env: TestEnvironment;
let daemonScript: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'glint-redis-persistence-'));
  const bundled = bundleDaemon(dir);
  [kept, lost, refused] = await Promise.all([
    RedisServer.start(['--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction']),
    RedisServer.start(['--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru']),
    RedisServer.start(['--save', '', '--rename-command', 'CONFIG', '']),
  ]);
  env = await testEnvironment();
  // The quickstart's check runs on the build, as the quickstart builds before it checks.
  await exec('npx', ['tsc', '-b', 'packages/core'], { cwd: root });
  daemonScript = await bundled;
});

afterAll(async () => {
  await Promise.all([kept, lost, refused].map((server) => server?.stop()));
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const appendonly = /Redis runs with appendonly no, so a restart empties it.*Set appendonly yes/;
const eviction = /Redis runs with maxmemory-policy allkeys-lru, .*Set maxmemory-policy noeviction/;

async function warningsOf(server: RedisServer): Promise<string[]> {
  const redis = new Redis(server.url);
  try {
    return await redisPersistenceWarnings(redis);
  } finally {
    redis.disconnect();
  }
}

test('a Redis that keeps its data raises no warning; each setting that loses data raises one saying what to set', async () => {
  expect(await warningsOf(kept)).toEqual([]);
  const warnings = await warningsOf(lost);
  expect(warnings).toHaveLength(2);
  expect(warnings[0]).toMatch(appendonly);
  expect(warnings[0]).toMatch(/GLINT_QUEUE_RECOVERY_SECONDS/);
  expect(warnings[1]).toMatch(eviction);
  expect(await warningsOf(refused)).toEqual([
    expect.stringMatching(
      /^Redis did not say whether it keeps its data \(CONFIG GET appendonly: ERR unknown command.*appendonly yes and maxmemory-policy noeviction/,
    ),
  ]);
});

test('the quickstart warns of a Redis that would lose its data, and goes on', async () => {
  const check = (server: RedisServer) =>
    exec('node', [join(root, 'deploy', 'quickstart.d', 'services.mjs'), 'redis', server.url]);
  expect((await check(kept)).stderr).toBe('');
  const { stderr } = await check(lost);
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^quickstart: warning: /);
  expect(lines[0]).toMatch(appendonly);
  expect(lines[1]).toMatch(eviction);
});

/** The messages of pino's warn-level JSON lines (level 40), without the logger's prefix. */
function warningsLogged(lines: string[], prefix: string): string[] {
  return lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((line) => line.level === 40)
    .map((line) => line.msg.slice(prefix.length));
}

test('the API and the daemon warn as they start on a Redis that would lose its data, and only then', async () => {
  // BullMQ prints a warning of its own about the eviction policy, on the console.
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  for (const server of [kept, lost]) {
    const before = env.logs.length;
    await env.start({ GLINT_REDIS_URL: server.url });
    const apiWarnings = warningsLogged(env.logs.slice(before), '');
    const daemon = await startDaemonProcess(
      daemonScript,
      env.env({ GLINT_REDIS_URL: server.url, GLINT_INVENTORY_INTERVAL_SECONDS: '3600' }),
    );
    await stopDaemonProcess(daemon);
    const daemonWarnings = warningsLogged(daemon.log, 'glint-daemon: ');
    if (server === kept) {
      expect(apiWarnings).toEqual([]);
      expect(daemonWarnings).toEqual([]);
    } else {
      const both = [expect.stringMatching(appendonly), expect.stringMatching(eviction)];
      expect(apiWarnings).toEqual(both);
      expect(daemonWarnings).toEqual(both);
    }
  }
});
