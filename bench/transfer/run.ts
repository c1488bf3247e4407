/**
 * bench/transfer: Glint's streaming copy between sandbox Glances against the baselines measured in
 * the same run: a `curl | curl` pipe (the ceiling for a pair of Glances) and a download-to-file,
 * then-upload copy (what earlier Glint versions and `openstack image save` + `image create` do).
 *
 *   npm run bench:transfer            # 1 GiB image, 4 GiB for the memory check, 50 MB/s links
 *   BENCH_SIZE_MIB=256 BENCH_BIG_MIB=1024 BENCH_RUNS=1 npm run bench:transfer   # quicker
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAdapter, type CloudAdapter } from '@glint/cloud-adapters';
import { randomImageStream } from '../../test-support/random-image';
import {
  passwordCredential,
  sandboxCloud,
  siteConfig,
  type SandboxCloud,
} from '../../test-support/sandbox';
import type { CopyJob, CopyRun } from './copy-once';
import { startThrottleProxy } from './throttle-proxy';

const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_SIZE_MIB ?? 1024) * MiB;
const bigSize = Number(process.env.BENCH_BIG_MIB ?? 4096) * MiB;
const runs = Number(process.env.BENCH_RUNS ?? 2);
const linkRate = Number(process.env.BENCH_LINK_MBPS ?? 50) * 1e6;

const clouds = [sandboxCloud(1), sandboxCloud(2), sandboxCloud(3)] as const;
const adapters = clouds.map((c) =>
  createAdapter('openstack', siteConfig(c), passwordCredential(c)),
);
const [cloudA, cloudB] = clouds;
const [adapterA, adapterB, adapterC] = adapters as [CloudAdapter, CloudAdapter, CloudAdapter];
const run = Date.now().toString(36);

const median = (values: number[]) =>
  [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)]!;
const mbps = (bytes: number, seconds: number) => bytes / 1e6 / seconds;

async function keystoneToken(cloud: SandboxCloud): Promise<string> {
  const u = cloud.users.demo;
  const response = await fetch(`${cloud.authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: u.username, domain: { name: u.userDomainName }, password: u.password },
          },
        },
        scope: { project: { name: u.projectName, domain: { name: u.projectDomainName } } },
      },
    }),
  });
  if (!response.ok) throw new Error(`Keystone ${cloud.authUrl} answered ${response.status}`);
  return response.headers.get('x-subject-token')!;
}

async function seed(adapter: CloudAdapter, bytes: number): Promise<string> {
  const name = `glint-bench-${run}-${bytes / MiB}MiB`;
  const image = await adapter.createImage({
    name,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
  });
  await adapter.uploadImageData(image.id, randomImageStream(bytes, name), { size: bytes });
  return image.id;
}

/** Removes every image with the source's name from the destinations, so the next run copies again. */
async function clearCopies(name: string, destinations: CloudAdapter[]): Promise<void> {
  for (const adapter of destinations) {
    for await (const image of adapter.listImages({ name })) await adapter.deleteImage(image.id);
  }
}

async function glintCopy(job: CopyJob): Promise<CopyRun> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(__dirname, 'copy-once.ts'),
      JSON.stringify(job),
    ],
    { env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.test.json' }, maxBuffer: 1 << 20 },
  );
  const result = JSON.parse(stdout) as CopyRun;
  if (result.outcomes.some((o) => o !== 'copied'))
    throw new Error(`Glint copy failed: ${result.outcomes.join(', ')}`);
  return result;
}

function shell(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command.split(' ')[0]} … exited ${code}`)),
    );
  });
}

interface Endpoints {
  source: string;
  destination: string;
}

/** A fresh queued image record on the destination for a curl baseline to upload into. */
async function queuedRecord(name: string): Promise<string> {
  return (
    await adapterB.createImage({
      name,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    })
  ).id;
}

async function curlPipe(
  imageId: string,
  name: string,
  at: Endpoints,
  tokens: [string, string],
): Promise<number> {
  const target = await queuedRecord(name);
  const started = performance.now();
  await shell(
    `curl -sSf -H 'X-Auth-Token: ${tokens[0]}' ${at.source}/v2/images/${imageId}/file | ` +
      `curl -sSf -X PUT -H 'X-Auth-Token: ${tokens[1]}' -H 'Content-Type: application/octet-stream' -T - ${at.destination}/v2/images/${target}/file`,
  );
  return (performance.now() - started) / 1000;
}

async function stagedCopy(
  imageId: string,
  name: string,
  at: Endpoints,
  tokens: [string, string],
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'glint-bench-'));
  const file = join(dir, 'image');
  const target = await queuedRecord(name);
  try {
    const started = performance.now();
    await shell(
      `curl -sSf -H 'X-Auth-Token: ${tokens[0]}' -o ${file} ${at.source}/v2/images/${imageId}/file`,
    );
    await shell(
      `curl -sSf -X PUT -H 'X-Auth-Token: ${tokens[1]}' -H 'Content-Type: application/octet-stream' -T ${file} ${at.destination}/v2/images/${target}/file`,
    );
    return (performance.now() - started) / 1000;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `measure` `runs` times, clearing the destinations between runs; the median seconds. */
async function timed(
  label: string,
  name: string,
  destinations: CloudAdapter[],
  measure: () => Promise<number>,
): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    seconds.push(await measure());
    await clearCopies(name, destinations);
  }
  const s = median(seconds);
  console.error(`  ${label}: ${seconds.map((x) => x.toFixed(2)).join(', ')} s`);
  return s;
}

async function main(): Promise<void> {
  console.error(`seeding a ${size / MiB} MiB random image on ${cloudA.name}…`);
  const imageId = await seed(adapterA, size);
  const name = (await adapterA.getImage(imageId)).name;
  const tokens: [string, string] = [await keystoneToken(cloudA), await keystoneToken(cloudB)];
  const direct: Endpoints = { source: cloudA.glanceUrl, destination: cloudB.glanceUrl };
  const rows: Array<{
    scenario: string;
    seconds: number;
    baseline: string;
    ratio: number;
    target?: string;
  }> = [];
  let rss1 = 0;
  let single = 0;

  try {
    console.error('loopback:');
    const pipe = await timed('curl | curl', name, [adapterB], () =>
      curlPipe(imageId, name, direct, tokens),
    );
    const staged = await timed('staged', name, [adapterB], () =>
      stagedCopy(imageId, name, direct, tokens),
    );
    single = await timed('glint', name, [adapterB], async () => {
      const r = await glintCopy({ source: { cloud: 1 }, destinations: [{ cloud: 2 }], imageId });
      rss1 = Math.max(rss1, r.maxRssBytes);
      return r.seconds;
    });
    rows.push(
      { scenario: 'loopback: curl | curl', seconds: pipe, baseline: 'curl | curl', ratio: 1 },
      {
        scenario: 'loopback: staged download, then upload',
        seconds: staged,
        baseline: 'curl | curl',
        ratio: pipe / staged,
      },
      {
        scenario: 'loopback: Glint streaming copy',
        seconds: single,
        baseline: 'curl | curl',
        ratio: pipe / single,
        target: '≥ 0.90',
      },
    );

    console.error(`links held to ${linkRate / 1e6} MB/s each way:`);
    const sourceLink = await startThrottleProxy(
      { host: '127.0.0.1', port: cloudA.glancePort },
      linkRate,
    );
    const destinationLink = await startThrottleProxy(
      { host: '127.0.0.1', port: cloudB.glancePort },
      linkRate,
    );
    try {
      const throttled: Endpoints = {
        source: `http://127.0.0.1:${sourceLink.port}`,
        destination: `http://127.0.0.1:${destinationLink.port}`,
      };
      const tStaged = await timed('staged', name, [adapterB], () =>
        stagedCopy(imageId, name, throttled, tokens),
      );
      const tGlint = await timed(
        'glint',
        name,
        [adapterB],
        async () =>
          (
            await glintCopy({
              source: { cloud: 1, imageEndpoint: throttled.source },
              destinations: [{ cloud: 2, imageEndpoint: throttled.destination }],
              imageId,
            })
          ).seconds,
      );
      rows.push(
        {
          scenario: 'equal links: staged download, then upload',
          seconds: tStaged,
          baseline: 'staged',
          ratio: 1,
        },
        {
          scenario: 'equal links: Glint streaming copy',
          seconds: tGlint,
          baseline: 'staged',
          ratio: tStaged / tGlint,
          target: '≥ 1.8',
        },
      );
    } finally {
      await Promise.all([sourceLink.close(), destinationLink.close()]);
    }

    console.error('fan-out:');
    let sourceBytes = 0;
    const fan = await timed('glint 1→2', name, [adapterB, adapterC], async () => {
      const r = await glintCopy({
        source: { cloud: 1 },
        destinations: [{ cloud: 2 }, { cloud: 3 }],
        imageId,
      });
      sourceBytes = r.sourceBytes;
      return r.seconds;
    });
    rows.push({
      scenario: `fan-out to 2 (source served ${sourceBytes} of ${size} bytes)`,
      seconds: fan,
      baseline: 'Glint single copy (time ratio)',
      ratio: fan / single,
      target: '≤ 1.3',
    });
  } finally {
    await adapterA.deleteImage(imageId);
  }

  console.error(`memory: seeding a ${bigSize / MiB} MiB image…`);
  const bigId = await seed(adapterA, bigSize);
  const bigName = (await adapterA.getImage(bigId)).name;
  let rssBig = 0;
  try {
    rssBig = (
      await glintCopy({ source: { cloud: 1 }, destinations: [{ cloud: 2 }], imageId: bigId })
    ).maxRssBytes;
    await clearCopies(bigName, [adapterB]);
  } finally {
    await adapterA.deleteImage(bigId);
  }

  console.log(
    `\nbench/transfer — ${size / MiB} MiB random image, ${cloudA.name} → ${cloudB.name}, median of ${runs}\n`,
  );
  console.log(
    'scenario'.padEnd(62) + 'seconds'.padStart(9) + 'MB/s'.padStart(9) + '  ratio vs baseline',
  );
  for (const r of rows) {
    const ratio = `${r.ratio.toFixed(2)}× ${r.baseline}${r.target ? ` (target ${r.target})` : ''}`;
    console.log(
      r.scenario.padEnd(62) +
        r.seconds.toFixed(2).padStart(9) +
        mbps(size, r.seconds).toFixed(0).padStart(9) +
        '  ' +
        ratio,
    );
  }
  console.log(
    `\npeak RSS of the Glint copy process: ${(rss1 / MiB).toFixed(0)} MiB for ${size / MiB} MiB, ` +
      `${(rssBig / MiB).toFixed(0)} MiB for ${bigSize / MiB} MiB (ratio ${(rssBig / rss1).toFixed(2)}; target ≤ 200 MB, flat)`,
  );
  const resultsDir = join(__dirname, 'results');
  await mkdir(resultsDir, { recursive: true });
  await writeFile(
    join(resultsDir, `${new Date().toISOString()}.json`),
    JSON.stringify({ size, bigSize, runs, linkRate, rows, rss1, rssBig }, null, 2),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
