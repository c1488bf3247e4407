/**
 * A release against a plain fan-out copy, both through the real API and `glint-daemon` on the
 * sandbox: an image of BENCH_SIZE_MIB (default 1024) on cloud1 is first placed on cloud2–4 at once
 * (`PUT /api/v1/placements`, the baseline: until every copy job succeeded), the copies removed,
 * and then published into a release family over the same three sites in two waves (cloud2 the
 * canary, soak BENCH_SOAK_S, default 0): timed from the publish until every site holds the stable
 * name (`GET /api/v1/releases/:family` polled). Prints both and the ratio release / (copy + soak);
 * the target is ≤ 1.2. BENCH_RELEASE_INTERVAL_S sets the daemon's GLINT_RELEASE_INTERVAL_SECONDS
 * (the product's default when unset), the tick a rollout takes its next step on. BENCH_PRESTAGE=0
 * makes the family copy wave by wave (`prestage: false`); by default it pre-stages.
 *
 *   BENCH_SIZE_MIB=64 npm run bench:release
 *   BENCH_SIZE_MIB=64 BENCH_PRESTAGE=0 npm run bench:release
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createAdapter } from '@glint/cloud-adapters';
import type { FamilyDetails } from '@glint/api/replies';
import { randomImageStream } from '../../test-support/random-image';
import {
  passwordCredential,
  sandboxCloud,
  sandboxOutbound,
  siteConfig,
} from '../../test-support/sandbox';
import { addSandboxSites } from '../../test-support/test-environment';
import { productPath, type ProductPath } from '../transfer/product-path';

const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_SIZE_MIB ?? 1024) * MiB;
const soakSeconds = Number(process.env.BENCH_SOAK_S ?? 0);
const prestage = process.env.BENCH_PRESTAGE !== '0';
const run = randomBytes(4).toString('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const source = createAdapter(
  'openstack',
  siteConfig(sandboxCloud(1)),
  passwordCredential(sandboxCloud(1)),
  {
    outbound: sandboxOutbound(),
  },
);

async function seed(): Promise<{ id: string; name: string }> {
  const name = `glint-bench-release-${run}`;
  const image = await source.createImage({
    name,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
  });
  await source.uploadImageData(image.id, randomImageStream(size, name), { size });
  return { id: image.id, name };
}

async function api<T>(
  path: ProductPath,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: object,
) {
  const reply = await path.server.inject({
    method,
    url: `/api/v1${url}`,
    headers: path.session.headers,
    ...(payload && { payload }),
  });
  if (reply.statusCode >= 300)
    throw new Error(`${method} ${url}: ${reply.statusCode} ${reply.body}`);
  return reply.json<T>();
}

/** Waits until no `operation` job of the image runs any more; throws if one of them failed. */
async function jobsEnded(db: Client, imageId: string, operation: string, since: Date) {
  for (;;) {
    const { rows } = await db.query<{ state: string; error: string | null }>(
      'SELECT state, error FROM jobs WHERE image_id = $1 AND operation = $2 AND created_at >= $3',
      [imageId, operation, since],
    );
    const failed = rows.find((r) => r.state === 'failed');
    if (failed) throw new Error(`${operation} failed: ${failed.error}`);
    if (rows.length > 0 && rows.every((r) => r.state === 'succeeded')) return;
    await sleep(50);
  }
}

/** The baseline: the image placed on the three sites at once, timed until every copy succeeded. */
async function fanOut(path: ProductPath, db: Client, imageId: string, sites: string[]) {
  const place = (wanted: boolean) =>
    api(path, 'PUT', '/placements', {
      changes: sites.map((site) => ({ image: imageId, site, wanted })),
    });
  const started = new Date();
  await place(true);
  await jobsEnded(db, imageId, 'copy', started);
  const seconds = (Date.now() - started.getTime()) / 1000;
  const removing = new Date();
  await place(false);
  await jobsEnded(db, imageId, 'delete', removing);
  return seconds;
}

/** The release: published into a two-wave family, timed until every site holds the stable name. */
async function release(path: ProductPath, imageId: string, sites: string[]) {
  const family = `bench-${run}`;
  await api(path, 'POST', '/releases', {
    name: family,
    stableName: `Bench ${run}`,
    sites: { ids: sites },
    waves: [{ ids: [sites[0]] }],
    soakSeconds,
    prestage,
    requiredProperties: [],
  });
  const started = Date.now();
  await api(path, 'POST', `/releases/${family}/versions`, { image: imageId, version: '1' });
  let canary: number | undefined;
  for (;;) {
    const details = await api<FamilyDetails>(path, 'GET', `/releases/${family}`);
    const states = details.versions[0]!.sites;
    const failed = states.find((s) => s.state === 'failed');
    if (failed) throw new Error(`release failed on ${failed.siteName}: ${failed.error}`);
    if (canary === undefined && states.find((s) => s.siteId === sites[0])?.state === 'stable')
      canary = (Date.now() - started) / 1000;
    if (states.length === sites.length && states.every((s) => s.state === 'stable'))
      return { seconds: (Date.now() - started) / 1000, canary: canary ?? 0 };
    await sleep(100);
  }
}

async function main() {
  console.error(`seeding a ${size / MiB} MiB random image on cloud1…`);
  const image = await seed();
  const path = await productPath(1, 2);
  const db = new Client({ connectionString: path.env.GLINT_DATABASE_URL });
  await db.connect();
  const interval = process.env.BENCH_RELEASE_INTERVAL_S;
  const daemon = await path.startDaemon(
    interval ? { GLINT_RELEASE_INTERVAL_SECONDS: interval } : {},
  );
  try {
    const more = await addSandboxSites(path.server, path.session, { cloud3: 3, cloud4: 4 });
    const { sites: all } = await api<{ sites: Array<{ id: string; name: string }> }>(
      path,
      'GET',
      '/sites',
    );
    const destination = all.find((s) => s.name === 'destination')!.id;
    const sites = [destination, more.cloud3, more.cloud4];
    const imageId = await path.logicalImage(image.name);
    console.error('baseline: fan-out copy to cloud2, cloud3, cloud4…');
    const copy = await fanOut(path, db, imageId, sites);
    console.error(
      `release: canary cloud2, then cloud3 and cloud4, soak ${soakSeconds} s, prestage ${prestage ? 'on' : 'off'}…`,
    );
    const released = await release(path, imageId, sites);
    const ratio = released.seconds / (copy + soakSeconds);
    console.log(
      JSON.stringify(
        {
          sizeMiB: size / MiB,
          soakSeconds,
          prestage,
          releaseIntervalSeconds: interval ? Number(interval) : 'default',
          fanOutCopySeconds: copy,
          releaseSeconds: released.seconds,
          canaryStableSeconds: released.canary,
          ratio: Number(ratio.toFixed(2)),
          target: 1.2,
          met: ratio <= 1.2,
        },
        null,
        2,
      ),
    );
  } finally {
    await path.stopDaemon(daemon);
    await db.end();
    await path.close();
    await source.deleteImage(image.id);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
