import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// promtool ships with Debian's prometheus package, which deploy/test-env installs.
const run = promisify(execFile);
const rulesDir = join(__dirname, '..', 'prometheus');

test('the alerting rules pass promtool check rules', async () => {
  const { stdout } = await run('promtool', ['check', 'rules', 'glint.rules.yml'], {
    cwd: rulesDir,
  });
  expect(stdout).toMatch(/SUCCESS: 6 rules found/);
});

test('the alerting rules pass their unit tests (promtool test rules)', async () => {
  const { stdout } = await run('promtool', ['test', 'rules', 'tests/glint.rules.test.yml'], {
    cwd: rulesDir,
  });
  expect(stdout).toMatch(/SUCCESS/);
});

test('the unit tests catch a rule that changed: a stale-inventory bound twice as long fails them', async () => {
  const copy = await mkdtemp(join(tmpdir(), 'glint-rules-'));
  try {
    await cp(rulesDir, copy, { recursive: true });
    const rules = join(copy, 'glint.rules.yml');
    await writeFile(rules, (await readFile(rules, 'utf8')).replace('> 1800', '> 3600'));
    const failed = await run('promtool', ['test', 'rules', 'tests/glint.rules.test.yml'], {
      cwd: copy,
    }).then(
      () => null,
      (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`,
    );
    expect(failed).toMatch(/FAILED[\s\S]*GlintInventoryStale/);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});

test('the scrape configuration passes promtool check config, given its token file', async () => {
  const copy = await mkdtemp(join(tmpdir(), 'glint-prometheus-'));
  try {
    await cp(rulesDir, copy, { recursive: true });
    const config = join(copy, 'prometheus.yml');
    const tokenFile = join(copy, 'token');
    await writeFile(tokenFile, 'x'.repeat(32));
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replaceAll('/etc/prometheus/glint-metrics-token', tokenFile),
    );
    const { stdout } = await run('promtool', ['check', 'config', config]);
    expect(stdout).toMatch(/SUCCESS: .*prometheus\.yml is valid prometheus config file/);
    expect(stdout).toMatch(/SUCCESS: 6 rules found/);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});
