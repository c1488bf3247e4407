/**
 * What processes cost while a benchmark runs, read from /proc the same way for each of them (a
 * daemon, the sandbox's Glances): CPU time and resident memory.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sandboxDir } from '../../test-support/sandbox';

/** CPU seconds (user + system) a process has used, from /proc (Linux's 100 ticks a second). */
export async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory now and at its peak (VmRSS, VmHWM), in bytes. */
export async function residentBytes(pid: number): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)![1]);
  return { now: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
}

/**
 * Every process of a sandbox Glance (the API server and the workers it forked): cloud `index`'s,
 * or with `index` 100 and 101 (regionCloud()'s), the regions cloud's two.
 */
export async function glancePids(index: number): Promise<number[]> {
  const marker =
    index >= 100
      ? join(sandboxDir, 'regions', index === 100 ? 'glance-api.conf' : 'glance2-api.conf')
      : join(sandboxDir, `cloud${index}`, 'glance-api.conf');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

/** Measures the CPU seconds a set of processes spends while `work` runs. */
export async function cpuDuring<T>(
  pids: number[],
  work: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: number }> {
  const total = async () =>
    (await Promise.all(pids.map((pid) => cpuSeconds(pid).catch(() => 0)))).reduce(
      (a, b) => a + b,
      0,
    );
  const before = await total();
  const result = await work();
  return { result, cpuSeconds: (await total()) - before };
}
