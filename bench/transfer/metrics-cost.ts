/**
 * bench/transfer, metrics: what keeping and serving metrics costs a copy on the product path (the
 * API, a daemon process, the sandbox's Glances). The same image is copied with a daemon that keeps
 * no metrics (GLINT_DAEMON_METRICS_PORT unset), and with one that keeps them while a scraper reads
 * its /metrics every BENCH_SCRAPE_SECONDS (15, Prometheus' default interval), alternating, in the
 * same run. It prints the ratios of the copy's time and of the daemon's CPU time, on over off, the
 * spread between runs (how small a difference the run could show), and what one scrape costs the
 * daemon, measured apart (a scrape's cost depends on the interval, not on the copies).
 *
 *   npm run bench:transfer:metrics                      # 256 MiB, 4 copies each way
 *   BENCH_SIZE_MIB=64 BENCH_RUNS=2 npm run bench:transfer:metrics
 */
import { randomBytes } from 'node:crypto';
import { createAdapter } from '@glint/cloud-adapters';
import { freePort } from '../../test-support/free-port';
import { randomImageStream } from '../../test-support/random-image';
import {
  passwordCredential,
  sandboxCloud,
  sandboxOutbound,
  siteConfig,
} from '../../test-support/sandbox';
import { cpuSeconds } from './process-usage';
import { productPath } from './product-path';

const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_SIZE_MIB ?? 256) * MiB;
const runs = Number(process.env.BENCH_RUNS ?? 4);
const scrapeMs = Number(process.env.BENCH_SCRAPE_SECONDS ?? 15) * 1000;

/** Daemon CPU milliseconds per /metrics request, over 50 back to back after the last copy. */
async function costOfScrapes(pid: number, port: number): Promise<number> {
  const before = await cpuSeconds(pid);
  for (let i = 0; i < 50; i++) await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return (((await cpuSeconds(pid)) - before) / 50) * 1000;
}

const median = (values: number[]) =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const source = sandboxCloud(1);
  const adapter = createAdapter('openstack', siteConfig(source), passwordCredential(source), {
    outbound: sandboxOutbound(),
  });
  const name = `glint-bench-metrics-${randomBytes(4).toString('hex')}`;
  const image = await adapter.createImage({
    name,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
  });
  const path = await productPath(1, 2);
  const seconds: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const cpu: Record<'off' | 'on', number[]> = { off: [], on: [] };
  let scrapes = 0;
  let scrapeCost = 0;
  try {
    await adapter.uploadImageData(image.id, randomImageStream(size, name), { size });
    for (let run = 0; run < runs * 2; run++) {
      // Alternating, so a drift in the clouds' speed falls on both alike.
      const mode = run % 2 === 0 ? 'off' : 'on';
      const port = mode === 'on' ? await freePort() : undefined;
      const daemon = await path.startDaemon(
        port ? { GLINT_DAEMON_METRICS_PORT: String(port) } : {},
      );
      let scraping: NodeJS.Timeout | undefined;
      if (port) {
        // As Prometheus: a scrape when the target appears, then one every interval.
        const scrape = () =>
          void fetch(`http://127.0.0.1:${port}/metrics`)
            .then((response) => response.text())
            .then(
              () => scrapes++,
              () => undefined,
            );
        scrape();
        scraping = setInterval(scrape, scrapeMs);
      }
      try {
        const imageId = await path.logicalImage(name);
        const cpuBefore = await cpuSeconds(daemon.child.pid!);
        const taken = await path.copy(imageId);
        const used = (await cpuSeconds(daemon.child.pid!)) - cpuBefore;
        seconds[mode].push(taken);
        cpu[mode].push(used);
        console.error(
          `${mode === 'on' ? 'metrics on ' : 'metrics off'}: ${taken.toFixed(2)} s, daemon CPU ${used.toFixed(2)} s`,
        );
        if (port && run === runs * 2 - 1) scrapeCost = await costOfScrapes(daemon.child.pid!, port);
      } finally {
        clearInterval(scraping);
        await path.stopDaemon(daemon);
      }
    }
  } finally {
    await path.close();
    await adapter.deleteImage(image.id).catch(() => {});
    await adapter.close();
  }
  const off = median(seconds.off);
  const on = median(seconds.on);
  const mbps = (s: number) => (size / 1e6 / s).toFixed(1);
  console.log(`product-path copy of ${size / MiB} MiB, cloud1 → cloud2, ${runs} runs each way:`);
  console.log(`  metrics off: median ${off.toFixed(2)} s (${mbps(off)} MB/s)`);
  console.log(
    `  metrics on:  median ${on.toFixed(2)} s (${mbps(on)} MB/s), ${scrapes} scrapes every ${scrapeMs / 1000} s`,
  );
  console.log(`  metrics on / off, time: ${(on / off).toFixed(3)}×`);
  const [cpuOff, cpuOn] = [median(cpu.off), median(cpu.on)];
  console.log(
    `  daemon CPU per copy (and its delete): off ${cpuOff.toFixed(2)} s, on ${cpuOn.toFixed(2)} s; ` +
      `on / off: ${(cpuOn / cpuOff).toFixed(3)}×`,
  );
  const spread = (values: number[]) => (Math.max(...values) - Math.min(...values)) / median(values);
  console.log(
    `  run-to-run spread (max − min) / median: off ${(spread(seconds.off) * 100).toFixed(0)}%, ` +
      `on ${(spread(seconds.on) * 100).toFixed(0)}%`,
  );
  console.log(`  one scrape of a daemon's /metrics: ${scrapeCost.toFixed(1)} ms of its CPU`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
