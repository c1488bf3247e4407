/** bench/queue's settings (BENCH_* variables) and the helpers its steps share. */
import { randomBytes } from 'node:crypto';
import { sandboxCloud, type SandboxCloud } from '../../test-support/sandbox';

export const MiB = 1024 * 1024;
export const imageCount = Number(process.env.BENCH_IMAGES ?? 1000);
export const size = Math.round(Number(process.env.BENCH_SIZE_MIB ?? 1) * MiB);
export const daemonCount = Number(process.env.BENCH_DAEMONS ?? 1);
/** GLINT_DAEMON_CONCURRENCY of each daemon: copies one daemon runs at once. */
export const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** GLINT_SITE_TRANSFER_LIMIT: transfers one site takes part in at once, across all daemons. */
export const siteLimit = Number(process.env.BENCH_SITE_LIMIT ?? 2);
export const seedParallelism = Number(process.env.BENCH_SEED_PARALLEL ?? 8);
export const timeoutMs =
  Number(process.env.BENCH_TIMEOUT_S ?? Math.max(600, imageCount * 2)) * 1000;
export const postgres = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
export const redisUrl = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';

export const clouds = [sandboxCloud(1), sandboxCloud(2), sandboxCloud(3)];
export const next = (cloud: SandboxCloud) => clouds[cloud.index % clouds.length]!;
/** Copies the limits allow at once: each holds a slot on two sites. */
export const parallelism = Math.min(
  daemonCount * concurrency,
  Math.floor((clouds.length * siteLimit) / 2),
);
const run = randomBytes(4).toString('hex');
export const prefix = `glint-bq-${run}-`;

/** Ctrl-C stops waiting and seeding, and goes on to the clean-up. */
export const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort(new Error('interrupted')));

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() =>
    interrupted.signal.throwIfAborted(),
  );
export const s = (milliseconds: number) => `${(milliseconds / 1000).toFixed(2)} s`;
export const progress = (message: string) => console.error(`  ${message}`);

/** Runs `work` on every item, `limit` at a time; the first failure stops the others taking more. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let taken = 0;
  let failed = false;
  const runner = async () => {
    while (taken < items.length && !failed) {
      interrupted.signal.throwIfAborted();
      const index = taken++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
}
