/**
 * The `glint` command against the real API, a real daemon process and the sandbox clouds, run as a
 * child process with the OS_* variables of the sandbox's demo user, as a user would after sourcing
 * an openrc file.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../../test-support/cloud-images';
import { testEnvironment, type TestEnvironment } from '../../../test-support/test-environment';
import {
  bundleDaemon,
  startDaemonProcess,
  stopDaemonProcess,
  type DaemonProcess,
} from '../../../test-support/daemon-process';
import { randomImageStream } from '../../../test-support/random-image';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  bundleGlint,
  openrcText,
  openstackEnv,
  runGlint,
  startGlint,
  type GlintResult,
} from './glint-process';

const run = `cli-${randomBytes(4).toString('hex')}`;
const imageName = `${run}-base`;
const imageSize = 8 * 1024 * 1024;
const cloudImages = new CloudImages();

let env: TestEnvironment;
let server: FastifyInstance;
let apiUrl: string;
let dir: string;
let script: string;
let daemonScript: string;
let daemon: DaemonProcess | undefined;
/** Every --json run, to check that each printed exactly one JSON document. */
const jsonRuns: { args: string[]; result: GlintResult }[] = [];

function glintEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: dir, GLINT_CONFIG_DIR: join(dir, 'config'), GLINT_API_URL: apiUrl, ...extra };
}

async function glint(args: string[], extra: Record<string, string> = {}, input?: string) {
  const result = await runGlint(script, args, glintEnv(extra), input);
  if (args.includes('--json')) jsonRuns.push({ args, result });
  return result;
}

function json<T>(result: GlintResult): T {
  return JSON.parse(result.stdout) as T;
}

async function stopDaemon(): Promise<void> {
  if (daemon) await stopDaemonProcess(daemon, 15_000);
  daemon = undefined;
}

/** `check`'s first defined answer, asked every half second for up to 60 s. */
async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 120; i++) {
    const answer = await check();
    if (answer !== undefined) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('gave up waiting after 60 s');
}

async function startDaemon(): Promise<void> {
  daemon = await startDaemonProcess(
    daemonScript,
    env.env({ GLINT_INVENTORY_INTERVAL_SECONDS: '3600', GLINT_DAEMON_GRACE_SECONDS: '5' }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'glint-cli-'));
  [script, daemonScript] = await Promise.all([bundleGlint(dir), bundleDaemon(dir)]);
  env = await testEnvironment();
  server = await env.start();
  await server.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await stopDaemon();
  for (const index of [1, 2]) {
    const adapter = cloudImages.adapter(sandboxCloud(index));
    try {
      for await (const image of adapter.listImages({ includeHidden: true })) {
        if (image.name.startsWith(run)) await adapter.deleteImage(image.id).catch(() => {});
      }
    } catch {
      // The cloud is down; nothing of ours can be left on it either way.
    }
  }
  await cloudImages.close();
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('usage', () => {
  test('--help lists every command, and each subcommand has help with examples (exit 0)', async () => {
    const help = await glint(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'login',
      'logout',
      'site',
      'image',
      'place',
      'unplace',
      'plan',
      'apply',
      'jobs',
      'retry',
      'cancel',
    ])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const args of [['site', 'add'], ['image', 'upload'], ['apply'], ['jobs']]) {
      const sub = await glint([...args, '--help']);
      expect(sub.code).toBe(0);
      expect(sub.stdout).toContain('Examples:');
    }
  });

  test.each([
    [['site', 'list', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['place', '--on', 'x'], /missing required argument 'image'/],
    [['image', 'upload', 'disk.qcow2'], /required option '--to <site>' not specified/],
    [['jobs', '--state', 'sleeping'], /Allowed choices are queued, running/],
    [['site', 'add', 'x', '--openrc', 'a', '--os-cloud', 'b'], /cannot be used with option/],
    [['image', 'upload', 'disk.img', '--to', 'one'], /cannot tell the disk format of disk\.img/],
  ])('glint %j is a usage error: exit 2 and what is wrong', async (args, message) => {
    const result = await glint(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe('a session from the OS_* variables', () => {
  test('before login, commands say to log in (exit 1)', async () => {
    const result = await glint(['site', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not logged in: run glint login first');
  });

  test("a wrong password is Keystone's refusal, exit 1, and stores nothing", async () => {
    const result = await glint(['login'], openstackEnv(sandboxCloud(1), 'not-the-password'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Keystone login failed: .*check the username, password/);
    await expect(stat(join(dir, 'config', 'session.json'))).rejects.toThrow(/ENOENT/);
  });

  test('a token from a Keystone the API does not trust is refused, saying which one it trusts', async () => {
    const result = await glint(['login'], openstackEnv(sandboxCloud(2)));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused the token from');
    expect(result.stderr).toContain('GLINT_KEYSTONE_URL');
  });

  test('login stores the session in a file only its owner can read', async () => {
    const result = await glint(['login', '--json'], openstackEnv());
    expect(result.code).toBe(0);
    const session = json<{ user: string; project: string; expiresAt: string; sessionFile: string }>(
      result,
    );
    expect(session).toMatchObject({ user: 'demo', project: 'demo', apiUrl });
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
    expect(session.sessionFile).toBe(join(dir, 'config', 'session.json'));
    expect((await stat(session.sessionFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'config'))).mode & 0o777).toBe(0o700);
    // The password is not kept, only the token.
    expect(await readFile(session.sessionFile, 'utf8')).not.toContain(
      sandboxCloud(1).users.demo.password,
    );

    const me = await glint(['whoami', '--json']);
    expect(me.code).toBe(0);
    expect(json<{ name: string; authMethod: string }>(me)).toMatchObject({
      name: 'demo',
      authMethod: 'token',
    });
  });
});

describe('sites from openrc files', () => {
  test('site add --openrc with the password in the file, and with it on stdin', async () => {
    const one = join(dir, 'one-openrc.sh');
    const two = join(dir, 'two-openrc.sh');
    await writeFile(one, openrcText(sandboxCloud(1), true));
    await writeFile(two, openrcText(sandboxCloud(2), false));

    const added = await glint(['site', 'add', 'one', '--openrc', one, '--json']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(json<{ name: string; type: string }>(added)).toMatchObject({
      name: 'one',
      type: 'openstack',
    });

    const second = await glint(
      ['site', 'add', 'two', '--openrc', two, '--password-stdin'],
      {},
      `${sandboxCloud(2).users.demo.password}\n`,
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Added site two \(openstack, id [0-9a-f-]{36}\)\.$/m);

    const list = await glint(['site', 'list']);
    expect(list.stdout).toMatch(/^NAME +TYPE +REGION +USER/);
    expect(list.stdout).toMatch(
      new RegExp(`^one +openstack +${sandboxCloud(1).region} +demo`, 'm'),
    );
    expect(list.stdout).toMatch(
      new RegExp(`^two +openstack +${sandboxCloud(2).region} +demo`, 'm'),
    );
  });

  test("an API error is exit 1 with the API's message and code on stderr", async () => {
    const result = await glint(['site', 'add', 'ONE', '--openrc', join(dir, 'one-openrc.sh')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^glint: .*\[site_name_taken, HTTP 409\]$/m);
    expect(result.stdout).toBe('');
  });

  test('a site is named by name or id; show checks it live', async () => {
    const sites = json<{ id: string; name: string }[]>(await glint(['site', 'list', '--json']));
    const two = sites.find((s) => s.name === 'two')!;
    const byId = await glint(['site', 'show', two.id, '--json']);
    expect(json<{ name: string; health: { ok: boolean } }>(byId)).toMatchObject({
      name: 'two',
      health: { ok: true },
    });
    const missing = await glint(['site', 'show', 'three']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no site is called "three"; yours are: one, two');
  });
});

describe('images, placements and jobs', () => {
  test('image upload streams a file to a site with a progress bar', async () => {
    const file = join(dir, `${imageName}.raw`);
    await pipeline(randomImageStream(imageSize, run), createWriteStream(file));
    const result = await glint(['image', 'upload', file, '--to', 'one']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Uploaded ${imageName}: 8.00 MiB`);
    expect(result.stdout).toMatch(/^one +copied +[0-9a-f-]{36}/m);
    // Not a terminal: one progress line per quarter, ending at 100%.
    expect(result.stderr).toMatch(/upload .*verifying +\[#{24}\] +100% +8\.00 MiB \/ 8\.00 MiB/);

    // The upload queued an inventory of the site; the daemon's brings the image into the matrix.
    await startDaemon();
    const listed = await eventually(async () => {
      const list = json<{ name: string; size: number; on: string[] }[]>(
        await glint(['image', 'list', '--name', run, '--json']),
      );
      return list.length > 0 ? list : undefined;
    });
    expect(listed).toEqual([
      expect.objectContaining({ name: imageName, size: imageSize, on: ['one'] }),
    ]);
    // The upload's job is named for its image, with its bytes out of the total.
    const jobs = await glint(['jobs', '--operation', 'upload']);
    expect(jobs.stdout).toMatch(
      new RegExp(
        `^upload-\\S+ +upload +${imageName} +- +one +succeeded +8\\.00 MiB / 8\\.00 MiB`,
        'm',
      ),
    );
  });

  test('a placements file with a mistake is refused with its line numbers', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      `placements:\n  - images: ${run}-*\n    sits: one\n  - images: []\n    sites: one\nforce: maybe\n`,
    );
    const result = await glint(['plan', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:3: placements.0.sits: unknown key "sits": remove it`);
    expect(result.stderr).toContain(`${file}:2: placements.0: "sites" is missing`);
    expect(result.stderr).toContain(
      `${file}:4: placements.1.images: must be an image name pattern or id, or a list of them`,
    );
    expect(result.stderr).toContain(`${file}:6: force: must be boolean`);
  });

  test('plan -f prints the diff; apply -f queues it; jobs --watch follows it to the end', async () => {
    const file = join(dir, 'placements.yaml');
    await writeFile(
      file,
      `# every image of this run on every OpenStack site\nplacements:\n  - images: "${run}-*"\n    sites:\n      - type: openstack\n`,
    );
    const plan = await glint(['plan', '-f', file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`+ copy   ${imageName} (8.00 MiB) from one to two`);
    expect(plan.stdout).toContain('1 copy (8.00 MiB to read), 0 deletes, 0 refused, 1 unchanged.');
    const planJson = json<{ copies: unknown[] }>(await glint(['plan', '-f', file, '--json']));
    expect(planJson.copies).toHaveLength(1);

    // With the daemon stopped the copy waits in the queue, for the watch to see it start.
    await stopDaemon();
    const applied = await glint(['apply', '-f', file, '--json']);
    expect(applied.code).toBe(0);
    const { jobs } = json<{ jobs: { id: string; operation: string }[] }>(applied);
    expect(jobs).toEqual([{ id: expect.stringMatching(/^copy-/), operation: 'copy' }]);

    const watch = startGlint(script, ['jobs', '--watch'], glintEnv());
    for (let i = 0; i < 100 && !watch.output.stderr.includes('queued'); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(watch.output.stderr).toMatch(new RegExp(`copy ${imageName} \\(one → two\\) +queued`));
    await startDaemon();
    const watched = await watch.exited;
    expect(watched.stderr).toMatch(new RegExp(`copy ${imageName} \\(one → two\\) +succeeded`));
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(
      new RegExp(
        `^${jobs[0]!.id} +copy +${imageName} +one +two +succeeded +8\\.00 MiB / 8\\.00 MiB`,
        'm',
      ),
    );

    const shown = json<{ cells: { site: { name: string }; state: string }[] }>(
      await glint(['image', 'show', imageName, '--json']),
    );
    expect(shown.cells.map((c) => [c.site.name, c.state])).toEqual([
      ['one', 'present'],
      ['two', 'present'],
    ]);
    // Applying the same file again changes nothing.
    const again = await glint(['apply', '-f', file, '--wait']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 copies (0 B to read), 0 deletes, 0 refused, 2 unchanged.');
  });

  test('apply --wait with a delete: progress on stderr, the jobs on stdout, exit 0', async () => {
    const file = join(dir, 'only-one.yaml');
    await writeFile(file, `placements:\n  - images: ["${imageName}"]\n    sites: one\n`);
    const result = await glint(['apply', '-f', file, '--wait']);
    expect(result.stderr).toContain(`- delete ${imageName} from two`);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`delete +${imageName} +- +two +succeeded`));
    const list = json<{ on: string[] }[]>(
      await glint(['image', 'list', '--site', 'two', '--name', run, '--json']),
    );
    expect(list).toEqual([]);
  });

  test('the id place prints is the one jobs lists and cancel and retry take', async () => {
    // With the daemon stopped the copy waits in the queue, to be cancelled there.
    await stopDaemon();
    const placed = await glint(['place', imageName, '--on', 'two']);
    expect(placed.code).toBe(0);
    const id = /^(copy-[0-9a-f-]{36}) +copy$/m.exec(placed.stdout)?.[1];
    expect(id).toBeDefined();
    const listed = json<{ jobs: { id: string; state: string }[] }>(
      await glint(['jobs', '--state', 'queued', '--json']),
    );
    expect(listed.jobs).toEqual([expect.objectContaining({ id, state: 'queued' })]);
    const table = await glint(['jobs', '--state', 'queued']);
    expect(table.stdout).toMatch(new RegExp(`^${id} +copy +${imageName} +one +two +queued`, 'm'));

    const cancelled = await glint(['cancel', id!]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toBe(`Cancelled job ${id}.\n`);
    const retried = json<{ id: string; state: string; parts: { siteName: string }[] }>(
      await glint(['retry', id!, '--site', 'two', '--json']),
    );
    expect(retried).toMatchObject({ state: 'queued', parts: [{ siteName: 'two' }] });
    expect(retried.id).not.toBe(id);
    await startDaemon();
    const done = await eventually(async () => {
      const { jobs } = json<{ jobs: { id: string; state: string }[] }>(
        await glint(['jobs', '--json']),
      );
      const job = jobs.find((j) => j.id === retried.id);
      return job?.state === 'succeeded' ? job : undefined;
    });
    expect(done.id).toBe(retried.id);
  });

  test('unplace of the last copy is refused, exit 1', async () => {
    const refused = await glint(['unplace', imageName, '--from', 'one,two']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/! refused: delete .* \[last_copy\]/);
    expect(refused.stderr).toContain('refused');
  });

  test('jobs lists the history by name; retry of a job that succeeded is the API refusing it', async () => {
    const list = json<{ jobs: { id: string; state: string; operation: string }[] }>(
      await glint(['jobs', '--site', 'two', '--json']),
    );
    const copy = list.jobs.find((j) => j.operation === 'copy')!;
    expect(copy.state).toBe('succeeded');
    const retry = await glint(['retry', copy.id]);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toContain('[job_not_retryable, HTTP 409]');
    const table = await glint(['jobs', '--site', 'two']);
    expect(table.stdout).toMatch(
      new RegExp(`^${copy.id} +copy +${imageName} +one +two +succeeded`, 'm'),
    );
  });
});

describe('the session ends', () => {
  test('an expired session says to log in again (exit 1); logout forgets it', async () => {
    const file = join(dir, 'config', 'session.json');
    const session = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...session, expiresAt: '2020-01-01T00:00:00Z' }), {
      mode: 0o600,
    });
    const expired = await glint(['site', 'list']);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain('your session ended at 2020-01-01T00:00:00Z');
    expect(expired.stderr).toContain('run glint login again');

    const out = await glint(['logout', '--json']);
    expect(json(out)).toEqual({ loggedOut: true });
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  test('every --json output was exactly one JSON document on stdout', () => {
    expect(jsonRuns.length).toBeGreaterThan(8);
    for (const { args, result } of jsonRuns) {
      expect(() => JSON.parse(result.stdout)).not.toThrow();
      if (result.code === 0) expect({ args, stderr: result.stderr }).toEqual({ args, stderr: '' });
    }
  });
});
