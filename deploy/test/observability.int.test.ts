/**
 * Observability end to end: a real Prometheus (Debian's, a test instance on a free loopback port)
 * scrapes the API and a daemon process while a copy runs between sandbox clouds; then cloud 4's
 * Glance is stopped and the site-failure alert fires; every query of the Grafana dashboard returns
 * data; and the logs of the whole run hold none of the secrets it used, while naming each job's
 * request, owner and sites.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../test-support/cloud-images';
import {
  addSandboxSites,
  applyPlacements,
  login,
  matrixRow,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../test-support/test-environment';
import {
  bundleDaemon,
  startDaemonProcess,
  stopDaemonProcess,
  type DaemonProcess,
} from '../../test-support/daemon-process';
import { freePort } from '../../test-support/free-port';
import { startPrometheus, type TestPrometheus } from '../../test-support/prometheus';
import { sandboxCloud, sandboxService, withFaultCloud } from '../../test-support/sandbox';
import { until } from '../../test-support/until';

const MiB = 1024 * 1024;
const size = 8 * MiB;
const run = `obs-${randomBytes(4).toString('hex')}`;
const metricsToken = randomBytes(24).toString('hex');
const images = new CloudImages();

let dir: string;
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two' | 'four', string>;
let daemon: DaemonProcess;
let prometheus: TestPrometheus;
let imageId: string;

/** The value of a query that returns one sample, or undefined while it returns none. */
async function value(expr: string): Promise<number | undefined> {
  const [sample] = await prometheus.query(expr);
  return sample ? Number(sample.value[1]) : undefined;
}

/** The rules as deploy/prometheus has them, but a site failing for 5 s (not 15 min) alerts. */
async function testRules(): Promise<string> {
  const rules = await readFile(join(__dirname, '..', 'prometheus', 'glint.rules.yml'), 'utf8');
  const [before, failing, after] = rules.split(/(?=\n {6}- alert: )/).reduce<string[]>(
    (parts, part) => {
      if (part.includes('alert: GlintSiteFailing')) return [parts[0]!, part, ''];
      return parts.length === 1 ? [parts[0]! + part] : [parts[0]!, parts[1]!, parts[2]! + part];
    },
    [''],
  );
  const quick = failing!.replace('for: 15m', 'for: 5s').replaceAll('[5m]', '[30s]');
  expect(quick).not.toBe(failing);
  return `${before}${quick}${after}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'glint-observability-'));
  const bundled = bundleDaemon(dir);
  env = await testEnvironment();
  // Ten attempts, so the copy to the stopped Glance keeps failing while the alert is awaited.
  const settings = { GLINT_METRICS_TOKEN: metricsToken, GLINT_JOB_ATTEMPTS: '10' };
  server = await env.start(settings);
  user = await login(server);
  site = await addSandboxSites(server, user, { one: 1, two: 2, four: 4 });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const apiPort = (server.server.address() as AddressInfo).port;
  await images.seed(sandboxCloud(1), `${run}-source`, run, {}, size);
  const daemonPort = await freePort();
  daemon = await startDaemonProcess(
    await bundled,
    env.env({
      ...settings,
      GLINT_DAEMON_NAME: `${run}-daemon`,
      GLINT_DAEMON_METRICS_PORT: String(daemonPort),
      GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
    }),
  );
  const tokenFile = join(dir, 'metrics-token');
  await writeFile(tokenFile, metricsToken, { mode: 0o600 });
  prometheus = await startPrometheus(
    join(dir, 'prometheus'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [glint.rules.yml]
scrape_configs:
  - job_name: glint-api
    authorization: { type: Bearer, credentials_file: ${tokenFile} }
    static_configs: [{ targets: ['127.0.0.1:${apiPort}'] }]
  - job_name: glint-daemon
    authorization: { type: Bearer, credentials_file: ${tokenFile} }
    static_configs: [{ targets: ['127.0.0.1:${daemonPort}'] }]
`,
    { 'glint.rules.yml': await testRules() },
  );
  const row = await until(`${run}-source in the matrix`, async () => {
    const found = await matrixRow(server, user, `${run}-source`);
    return found?.cells.some((c) => c.siteId === site.one && c.state === 'unmanaged') && found;
  });
  imageId = row.id;
  // Both scraped before anything is measured, so every series starts from its zero.
  await until(
    'Prometheus to scrape the API and the daemon',
    async () => (await prometheus.query('up == 1')).length === 2,
    30_000,
    250,
  );
});

afterAll(async () => {
  const failures: unknown[] = [];
  const step = (work: () => Promise<unknown>) =>
    work().catch((error: unknown) => void failures.push(error));
  await step(() => sandboxService('start', sandboxCloud(4), 'glance'));
  if (daemon) await step(() => stopDaemonProcess(daemon, 10_000));
  if (prometheus) await step(() => prometheus.stop());
  for (const index of [2, 4])
    await step(async () => {
      const adapter = images.adapter(sandboxCloud(index));
      for await (const image of adapter.listImages({ name: `${run}-source` }))
        await adapter.deleteImage(image.id);
    });
  await step(() => images.close());
  if (env) await step(() => env.close());
  if (dir) await step(() => rm(dir, { recursive: true, force: true }));
  if (failures.length > 0) throw failures[0];
});

test('both targets are up, and a copy’s bytes, job and duration reach Prometheus', async () => {
  await applyPlacements(server, user, [{ image: imageId, site: site.two, wanted: true }]);
  await until('the copy to succeed', async () => {
    const rows = await env.query<{ state: string }>(
      `SELECT state FROM jobs WHERE operation = 'copy' AND destination_site_id = $1`,
      [site.two],
    );
    return rows[0]?.state === 'succeeded';
  });
  const written = `glint_site_written_bytes_total{site="${site.two}"}`;
  const succeeded = 'glint_jobs_total{kind="copy",state="succeeded"}';
  // The job is counted once the worker has finished it, after its bytes and its rows: a scrape
  // between the two sees the bytes alone, so both are awaited.
  await until(
    'Prometheus to scrape the copy and its job',
    async () => (await value(written)) === size && (await value(succeeded)) === 1,
    30_000,
    500,
  );

  expect(await value('up{job="glint-api"}')).toBe(1);
  expect(await value('up{job="glint-daemon"}')).toBe(1);
  expect(await value(`glint_site_read_bytes_total{site="${site.one}"}`)).toBe(size);
  expect(await value('glint_job_duration_seconds_count{kind="copy",state="succeeded"}')).toBe(1);
  expect(
    await value('glint_job_duration_seconds_sum{kind="copy",state="succeeded"}'),
  ).toBeGreaterThan(0);
  expect(await value('glint_transfer_duration_seconds_count{kind="copy"}')).toBe(1);
  expect(await value('glint_transfer_throughput_bytes_per_second_count{kind="copy"}')).toBe(1);
  expect(
    await value(`glint_site_operations_total{site="${site.two}",outcome="succeeded"}`),
  ).toBeGreaterThanOrEqual(1);
  expect(
    await value(`glint_site_login_duration_seconds_count{site="${site.two}"}`),
  ).toBeGreaterThanOrEqual(1);
  expect(
    await value(`glint_inventory_duration_seconds_count{site="${site.one}"}`),
  ).toBeGreaterThanOrEqual(1);
  expect(await value(`glint_site_inventory_age_seconds{site="${site.one}"}`)).toBeLessThan(600);
  expect(await value('glint_queue_jobs{queue="glint-transfer",state="waiting"}')).toBe(0);
  expect(await value('nodejs_eventloop_lag_seconds{job="glint-daemon"}')).toBeGreaterThanOrEqual(0);
});

test('a stopped Glance on cloud 4 fires GlintSiteFailing for its site', async () => {
  await withFaultCloud(sandboxCloud(4), async () => {
    await sandboxService('stop', sandboxCloud(4), 'glance');
    try {
      await applyPlacements(server, user, [{ image: imageId, site: site.four, wanted: true }]);
      const firing = await until(
        'GlintSiteFailing to fire',
        async () =>
          (await prometheus.alerts()).find(
            (alert) => alert.labels.alertname === 'GlintSiteFailing' && alert.state === 'firing',
          ),
        150_000,
        1000,
      );
      expect(firing.labels).toMatchObject({ site: site.four, severity: 'warning' });
      // Only the broken site: its source, which read nothing, is not blamed.
      const alerting = (await prometheus.alerts()).filter(
        (alert) => alert.labels.alertname === 'GlintSiteFailing',
      );
      expect(alerting.map((alert) => alert.labels.site)).toEqual([site.four]);
      expect(
        await value(`glint_site_errors_total{site="${site.four}",class="transient"}`),
      ).toBeGreaterThan(0);
      expect(await value('glint_job_retries_total{kind="copy"}')).toBeGreaterThan(0);
    } finally {
      await sandboxService('start', sandboxCloud(4), 'glance');
    }
  });
});

test('every query of the Grafana dashboard returns data', async () => {
  // Every site's second inventory (and login): a histogram needs two observations for a rate.
  const refreshed = await server.inject({
    method: 'POST',
    url: '/api/v1/sites/refresh',
    headers: user.headers,
  });
  expect(refreshed.statusCode).toBe(202);
  await until(
    'the second inventories to be scraped',
    async () =>
      (await value(`glint_inventory_duration_seconds_count{site="${site.two}"}`))! >= 2 &&
      (await value(`glint_site_login_duration_seconds_count{site="${site.two}"}`))! >= 2,
    60_000,
    500,
  );
  const dashboard = JSON.parse(
    await readFile(join(__dirname, '..', 'grafana', 'glint-dashboard.json'), 'utf8'),
  ) as { panels: { title: string; targets: { expr: string }[] }[] };
  const queries = dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ panel: panel.title, expr: target.expr })),
  );
  expect(queries.length).toBeGreaterThanOrEqual(15);
  const empty: string[] = [];
  for (const { panel, expr } of queries) {
    // Grafana's variables as the dashboard first shows them: every site, the recent minutes.
    const query = expr.replaceAll('$__rate_interval', '10m').replaceAll('$site', '.*');
    expect(query).not.toContain('$');
    const result = await prometheus.query(query);
    if (!result.some((sample) => Number.isFinite(Number(sample.value[1]))))
      empty.push(`${panel}: ${expr}`);
  }
  expect(empty).toEqual([]);
});

test('a job can be followed by its request id from the API through the daemon, every line naming it', async () => {
  const apiLines = env.logs.flatMap((chunk) => chunk.split('\n')).filter(Boolean);
  const queued = apiLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((entry) => entry.msg === 'job queued' && (entry.siteIds as string[]).includes(site.two));
  expect(queued).toMatchObject({ kind: 'copy', siteIds: [site.one, site.two] });
  const requestId = queued!.reqId as string;
  const jobLines = daemon.log
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.jobId === queued!.queueJobId);
  expect(jobLines.map((entry) => entry.msg)).toEqual([
    'glint-daemon: job started',
    'glint-daemon: job succeeded',
  ]);
  for (const entry of jobLines)
    expect(entry).toMatchObject({
      requestId,
      ownerId: queued!.ownerId,
      siteIds: [site.one, site.two],
      kind: 'copy',
    });
});

test('the logs of the whole run hold none of the secrets it used', async () => {
  const settings = env.env();
  const secrets = [
    ...[1, 2, 4].map((index) => sandboxCloud(index).users.demo.password),
    settings.GLINT_SESSION_SECRET!,
    settings.GLINT_CREDENTIAL_KEYS!.split(':')[1]!,
    metricsToken,
    user.cookie.match(/glint_session=([^;]+)/)![1]!,
    user.csrfToken,
  ];
  const logs = [...env.logs, ...daemon.log].join('\n');
  // The logs are there to be searched: requests, the jobs and the failures all left lines.
  expect(logs).toMatch(/"url":"\/api\/v1\/auth\/login"/);
  expect(logs).toMatch(/job attempt failed; it is retried/);
  for (const secret of secrets) expect(logs).not.toContain(secret);
});
