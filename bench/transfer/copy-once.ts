/**
 * One Glint copy in a process of its own, so its time and peak memory are measured apart from the
 * benchmark driver. Reads a JSON job from argv[2]; prints a JSON result on stdout.
 */
import { copyImage, createAdapter, type CloudAdapter } from '@glint/cloud-adapters';
import { countingReads } from '../../test-support/counting-reads';
import {
  passwordCredential,
  sandboxCloud,
  sandboxOutbound,
  siteConfig,
} from '../../test-support/sandbox';

export interface CopyJob {
  source: { cloud: number; imageEndpoint?: string };
  destinations: Array<{ cloud: number; imageEndpoint?: string }>;
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
}

function adapter(cloud: number, imageEndpoint?: string): CloudAdapter {
  const c = sandboxCloud(cloud);
  return createAdapter(
    'openstack',
    { ...siteConfig(c), ...(imageEndpoint ? { imageEndpointOverride: imageEndpoint } : {}) },
    passwordCredential(c),
    // A throttling proxy stands in for the image endpoint: the policy lets it through too.
    { outbound: sandboxOutbound(...(imageEndpoint ? [imageEndpoint] : [])) },
  );
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as CopyJob;
  const source = adapter(job.source.cloud, job.source.imageEndpoint);
  const counted = countingReads(source);
  const destinations = job.destinations.map((d) => ({
    key: `cloud${d.cloud}`,
    adapter: adapter(d.cloud, d.imageEndpoint),
  }));
  // Log in before the clock starts: the baselines are handed a token too.
  await Promise.all([source, ...destinations.map((d) => d.adapter)].map((a) => a.validate()));
  const rssBeforeBytes = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await copyImage({
    source: { key: `cloud${job.source.cloud}`, adapter: counted.adapter, imageId: job.imageId },
    destinations,
  });
  const run: CopyRun = {
    seconds: (performance.now() - started) / 1000,
    bytesRead: result.bytesRead,
    sourceBytes: counted.bytes,
    rssBeforeBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuSeconds: (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(cpuBefore)),
    outcomes: result.destinations.map((d) =>
      d.error ? `${d.outcome}: ${d.error.message}` : d.outcome,
    ),
  };
  process.stdout.write(JSON.stringify(run));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
