/**
 * GLINT_TRANSFER_BANDWIDTH_LIMIT through a running daemon: a copy between sandbox clouds and a URL
 * import, side by side, each read no faster than the cap. The token bucket lets one second's worth
 * through at once, so a transfer of `size` bytes cannot finish its read in under (size − cap) / cap
 * seconds however fast or loaded the machine is: a lower bound on duration, never flaky.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TransferJobProgress, Verification } from '@glint/core';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { wantCopy } from '../../../test-support/want-copy';
import { digestStream, randomImageStream } from '../../../test-support/random-image';
import { outboundAllow, sandboxCloud } from '../../../test-support/sandbox';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../src';

const MiB = 1024 * 1024;
/** 16 Mbit/s, as an operator would write a link's speed: 2 000 000 bytes per second. */
const CAP_SETTING = '16Mbit';
const cap = 2_000_000;
/** At least (size − cap) / cap ≈ 7.4 s at the cap; the sandbox moves it many times faster without. */
const size = 16 * MiB;
const run = `bw-${randomBytes(4).toString('hex')}`;
/** What Glint makes here: the copy on cloud 2, the import on cloud 1, by name. */
const made = [
  [2, `${run}-copy`],
  [1, `${run}-import`],
] as const;

const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two', string>;
let daemon: RunningDaemon | undefined;
let files: Server | undefined;
let imageUrl: string;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  files = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    randomImageStream(size, `${run}-import`).pipe(response);
  });
  await new Promise<void>((resolve) => files!.listen(0, '127.0.0.1', resolve));
  imageUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/image.raw`;
  // The image server is on loopback, so this operator allows exactly it; the default refuses it.
  const allow = { GLINT_OUTBOUND_ALLOW: outboundAllow(imageUrl) };
  ({ env, server, user, site } = await withSites({ one: 1, two: 2 }, allow));
  daemon = await startDaemon(
    loadDaemonConfig(
      env.env({
        ...allow,
        GLINT_TRANSFER_BANDWIDTH_LIMIT: CAP_SETTING,
        GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
      }),
    ),
    () => {},
  );
});

afterAll(async () => {
  await daemon?.stop();
  await new Promise((resolve) => (files ? files.close(resolve) : resolve(undefined)));
  // Glint made the copy on cloud 2 and the import on cloud 1; `images` removes the source.
  for (const [index, name] of made) {
    const adapter = images.adapter(sandboxCloud(index));
    for await (const image of adapter.listImages({ name, includeHidden: true }))
      await adapter.deleteImage(image.id).catch(() => {});
  }
  await images.close();
  await env?.close();
});

interface Finished {
  state: string;
  error: string | null;
  bytes: number;
  seconds: number;
  /** Every progress report seen while the job ran. */
  reports: TransferJobProgress[];
  /** How the copy's bytes were proven, from the job's result. */
  verification?: Verification;
}

/** Follows a queued job's progress until its row ends; how long it ran, by the database's clock. */
async function followed(kind: 'copy' | 'import', queueJobId: string): Promise<Finished> {
  const reports: TransferJobProgress[] = [];
  for (;;) {
    const job = await server.queues.queue(kind).getJob(queueJobId);
    if (job?.progress && typeof job.progress === 'object')
      reports.push(job.progress as TransferJobProgress);
    const [row] = await env.query<Omit<Finished, 'reports'>>(
      `SELECT state, error, bytes_done::int AS bytes,
              extract(epoch FROM finished_at - started_at)::float AS seconds
       FROM jobs WHERE queue_job_id = $1`,
      [queueJobId],
    );
    if (row!.state === 'succeeded' || row!.state === 'failed') {
      const result = (await server.queues.queue(kind).getJob(queueJobId))?.returnvalue as
        { destinations: { verification?: Verification }[] } | undefined;
      const verification = result?.destinations[0]?.verification;
      return { ...row!, reports, ...(verification && { verification }) };
    }
    await sleep(100);
  }
}

async function copyQueued(): Promise<string> {
  const name = `${run}-copy`;
  await images.seed(sandboxCloud(1), name, name, {}, size);
  return wantCopy(server, user, name, site.two);
}

async function importQueued(): Promise<string> {
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/images/import',
    headers: user.headers,
    payload: { url: imageUrl, name: `${run}-import`, diskFormat: 'raw', sites: [site.one] },
  });
  expect(response.statusCode).toBe(202);
  return response.json<{ jobId: string }>().jobId;
}

test('a copy and an import through the daemon each read no faster than the cap, and arrive whole', async () => {
  const [copy, imported] = await Promise.all([
    copyQueued().then((id) => followed('copy', id)),
    importQueued().then((id) => followed('import', id)),
  ]);

  for (const job of [copy, imported]) {
    expect(job).toMatchObject({ state: 'succeeded', error: null, bytes: size });
    expect(job.seconds).toBeGreaterThanOrEqual((size - cap) / cap);
    const rates = job.reports.flatMap((report) => report.destinations.map((d) => d.bytesPerSecond));
    expect(rates.length).toBeGreaterThan(0);
    // A report's rate spans at least the second between two reports, and the bucket passes at most
    // (t + 1) × cap in any t seconds: no rate above 2 × cap, but for a chunk in flight.
    expect(Math.max(...rates)).toBeLessThanOrEqual(2 * cap + MiB);
  }
  // Glance to Glance, the ends' digests prove the copy and Glint hashes nothing; a URL's bytes have
  // none declared, so the daemon hashes them once.
  expect(copy.verification).toEqual({ method: 'ends', algo: 'sha512' });
  expect(imported.verification).toEqual({ method: 'hashed', algo: 'sha512' });
  // Both arrived whole: the cap slows the bytes, it does not cut them.
  for (const [index, name] of made) {
    const { sha512 } = await digestStream(randomImageStream(size, name));
    const copies = [];
    for await (const image of images
      .adapter(sandboxCloud(index))
      .listImages({ name, includeHidden: true }))
      copies.push(image);
    expect(copies.map((c) => [c.status, c.size, c.hashValue])).toEqual([['active', size, sha512]]);
  }
});
