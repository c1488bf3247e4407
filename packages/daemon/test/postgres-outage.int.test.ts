/**
 * PostgreSQL going away under a running daemon, as in a database restart: the daemon reaches it
 * through a proxy whose link is cut (every connection reset, new ones refused) while a copy runs.
 */
import { randomBytes } from 'node:crypto';
import type { ImageInfo } from '@glint/cloud-adapters';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  matrixRow,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';
import { wantCopy } from '../../../test-support/want-copy';
import { startCuttableProxy, type CuttableProxy } from '../../../test-support/cuttable-proxy';
import { sandboxCloud } from '../../../test-support/sandbox';
import { loadDaemonConfig, startDaemon, type RunningDaemon } from '../src';

const MiB = 1024 * 1024;
const name = `pg-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let site: Record<'one' | 'two', string>;
let proxy: CuttableProxy;
let daemon: RunningDaemon;
const logged: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ one: 1, two: 2 }));
  proxy = await startCuttableProxy({ host: '127.0.0.1', port: 5432 });
  const databaseUrl = new URL(env.databaseUrl);
  databaseUrl.port = String(proxy.port);
  daemon = await startDaemon(
    loadDaemonConfig(
      env.env({
        GLINT_DATABASE_URL: databaseUrl.toString(),
        GLINT_INVENTORY_INTERVAL_SECONDS: '3600',
      }),
    ),
    (message, error) => logged.push(`${message}: ${(error as Error | undefined)?.message}`),
  );
});

afterAll(async () => {
  await daemon?.stop();
  await proxy?.close();
  const two = images.adapter(sandboxCloud(2));
  for await (const image of two.listImages({ name, includeHidden: true }))
    await two.deleteImage(image.id);
  await images.close();
  await env?.close();
});

async function onTwo(): Promise<ImageInfo[]> {
  const found: ImageInfo[] = [];
  for await (const image of images
    .adapter(sandboxCloud(2))
    .listImages({ name, includeHidden: true }))
    found.push(image);
  return found;
}

test('the daemon outlives a PostgreSQL outage during a copy, and the copy still ends present once', async () => {
  const source = await images.seed(sandboxCloud(1), name, name, {}, 256 * MiB);
  const queueJobId = await wantCopy(server, user, name, site.two);
  const state = async () =>
    (
      await env.query<{ state: string; attempts: number }>(
        'SELECT state, attempts FROM jobs WHERE queue_job_id = $1',
        [queueJobId],
      )
    )[0]!;
  while ((await state()).state === 'queued') await sleep(20);

  // Longer than the copy takes, so the daemon's writes at its end meet the outage.
  proxy.cut(6000);
  for (;;) {
    const now = await state();
    if (now.state === 'succeeded') break;
    expect(now.state).not.toBe('failed');
    await sleep(200);
  }

  expect(logged.some((line) => /PostgreSQL|ECONN|terminated/i.test(line))).toBe(true);
  expect(daemon.workers.every((worker) => worker.isRunning())).toBe(true);
  const copies = await onTwo();
  expect(copies.map((c) => c.status)).toEqual(['active']);
  expect(copies[0]!.hashValue).toBe(source.hashValue);
  const cell = (await matrixRow(server, user, name)).cells.find((c) => c.siteId === site.two);
  expect(cell).toMatchObject({ state: 'present', cloudImageId: copies[0]!.id });
});
