/**
 * One Glint copy in a process of its own, so its time and peak memory are measured apart from the
 * benchmark driver. Reads a JSON job from argv[2]; prints a JSON result on stdout.
 */
import { randomUUID } from 'node:crypto';
import {
  copyImage,
  createAdapter,
  DEFAULT_RETRY_POLICIES,
  type CloudAdapter,
  type CopyResult,
} from '@glint/cloud-adapters';
import { countingReads } from '../../test-support/counting-reads';
import { residentBytes } from './process-usage';
import {
  passwordCredential,
  regionCloud,
  sandboxCloud,
  sandboxOutbound,
  sandboxRegions,
  siteConfig,
} from '../../test-support/sandbox';

/** A sandbox cloud by index, or a region (0 or 1) of its regions cloud, as a user of it. */
interface Site {
  cloud?: number;
  region?: 0 | 1;
  user?: 'demo' | 'admin';
  imageEndpoint?: string;
}

export interface CopyJob {
  source: Site;
  destinations: Site[];
  imageId: string;
}

export interface CopyRun {
  seconds: number;
  bytesRead: number;
  /** Bytes the source actually served, counted on the wire side of the adapter. */
  sourceBytes: number;
  /** Resident memory with everything loaded and logged in, before the first byte moves. */
  rssBeforeBytes: number;
  maxRssBytes: number;
  /** CPU time this process spent on the copy (user + system), in seconds. */
  cpuSeconds: number;
  outcomes: string[];
  /** How each destination's copy was made. */
  methods: string[];
}

function adapter({ cloud, region, user = 'demo', imageEndpoint }: Site): CloudAdapter {
  const c = region === undefined ? sandboxCloud(cloud!) : regionCloud(sandboxRegions()!, region);
  return createAdapter(
    'openstack',
    { ...siteConfig(c, user), ...(imageEndpoint ? { imageEndpointOverride: imageEndpoint } : {}) },
    passwordCredential(c, user),
    // A throttling proxy stands in for the image endpoint: the policy lets it through too.
    { outbound: sandboxOutbound(...(imageEndpoint ? [imageEndpoint] : [])) },
  );
}

/**
 * The copy of one image to one destination whose cloud makes it itself, as the daemon has it made;
 * undefined when the cloud offers none or turns it down, and the engine streams it.
 */
async function serverSide(
  source: CloudAdapter,
  destination: CloudAdapter,
  imageId: string,
): Promise<Pick<CopyResult, 'bytesRead' | 'destinations'> | undefined> {
  const copier = await destination.serverSideCopyFrom?.(source);
  const image = await copier?.run({
    sourceKey: 'source',
    sourceImageId: imageId,
    targetId: randomUUID(),
    policy: DEFAULT_RETRY_POLICIES.serverSide,
  });
  if (!image) return undefined;
  const done = { outcome: 'copied' as const, bytes: image.size ?? 0, method: copier!.method };
  return { bytesRead: 0, destinations: [{ key: 'destination0', imageId: image.id, ...done }] };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as CopyJob;
  const source = adapter(job.source);
  const counted = countingReads(source);
  const destinations = job.destinations.map((d, i) => ({
    key: `destination${i}`,
    adapter: adapter(d),
  }));
  // Log in before the clock starts: the baselines are handed a token too.
  await Promise.all([source, ...destinations.map((d) => d.adapter)].map((a) => a.validate()));
  const rssBeforeBytes = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const [only] = destinations;
  const result =
    (destinations.length === 1 && (await serverSide(source, only!.adapter, job.imageId))) ||
    (await copyImage({
      source: { key: 'source', adapter: counted.adapter, imageId: job.imageId },
      destinations,
    }));
  const run: CopyRun = {
    seconds: (performance.now() - started) / 1000,
    bytesRead: result.bytesRead,
    sourceBytes: counted.bytes,
    rssBeforeBytes,
    // VmHWM, not getrusage's maxRSS: that one carries over the peak of the forked parent (this
    // benchmark's driver, far larger) from before the exec.
    maxRssBytes: (await residentBytes(process.pid)).peak,
    cpuSeconds: (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(cpuBefore)),
    outcomes: result.destinations.map((d) =>
      d.error ? `${d.outcome}: ${d.error.message}` : d.outcome,
    ),
    methods: result.destinations.map((d) => d.method ?? 'none'),
  };
  process.stdout.write(JSON.stringify(run));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
