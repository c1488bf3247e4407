/** bench/queue's figures: Glint's time against the baseline's, printed and kept under results/. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DaemonProcess } from '../../test-support/daemon-process';
import type { Timed } from './baseline';
import type { JobRow } from './glint-path';
import {
  concurrency,
  daemonCount,
  imageCount,
  MiB,
  parallelism,
  s,
  siteLimit,
  size,
} from './settings';

/** What Glint's side measured: from the apply request until every copy's row succeeded. */
export interface GlintRun {
  glintMs: number;
  polledMs: number;
  applyMs: number;
  jobs: JobRow[];
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const percentile = (values: number[], p: number) =>
  [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The reason of a failed job attempt, from a line of a daemon's JSON log. */
function failedAttempt(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
    return /job (attempt )?failed/.test(entry.msg ?? '') ? entry.err?.message : undefined;
  } catch {
    return undefined;
  }
}

/** Prints the figures and the daemons' failed attempts, and writes them to results/. */
export async function report(
  pipe: Timed,
  glint: GlintRun,
  daemons: DaemonProcess[],
): Promise<void> {
  const { glintMs, polledMs, applyMs, jobs } = glint;
  const copies = `${imageCount} copies of ${size / MiB} MiB`;
  const jobMs = jobs.map((j) => Number(j.run_ms));
  const waitMs = jobs.map((j) => Number(j.wait_ms));
  const retried = jobs.filter((j) => j.attempts > 1).length;

  const ratio = glintMs / pipe.wallMs;
  const overheadMs = ((glintMs - pipe.wallMs) * parallelism) / imageCount;
  // The overhead splits exactly into time inside the jobs and slot time left unused between them.
  const inJobMs = (sum(jobMs) - sum(pipe.copyMs)) / imageCount;
  const idleMs = overheadMs - inJobMs;
  const medianJob = percentile(jobMs, 0.5);
  const medianCopy = percentile(pipe.copyMs, 0.5);
  const figures = [
    `\nbench/queue — ${copies} (cloud n → cloud n+1 of 3 sandbox sites), ` +
      `${daemonCount} daemon(s) × ${concurrency} transfers, ${siteLimit} per site: ` +
      `P = ${parallelism} at once\n`,
    `baseline, plain pipe (create, GET /file | PUT /file), ${parallelism} at once: ` +
      `${s(pipe.wallMs)}, ${((imageCount / pipe.wallMs) * 1000).toFixed(1)} copies/s; ` +
      `copy median ${ms(medianCopy)}, p95 ${ms(percentile(pipe.copyMs, 0.95))}; ` +
      `mean copies at once ${(sum(pipe.copyMs) / pipe.wallMs).toFixed(2)}`,
    `Glint, PUT /api/v1/placements → every job row succeeded: ${s(glintMs)}, ` +
      `${((imageCount / glintMs) * 1000).toFixed(1)} jobs/s (the apply request ${ms(applyMs)}); ` +
      `job median ${ms(medianJob)}, p95 ${ms(percentile(jobMs, 0.95))}; ` +
      `mean jobs at once ${(sum(jobMs) / glintMs).toFixed(2)}; ` +
      `queue wait median ${ms(percentile(waitMs, 0.5))}; retried ${retried}`,
    `Glint time / baseline time: ${ratio.toFixed(2)}× ` +
      `(throughput ${(1 / ratio).toFixed(2)}× the baseline's)`,
    `daemon overhead per job, (T_glint − T_baseline) × ${parallelism} / ${imageCount}: ` +
      `${ms(overheadMs)}`,
    `  = ${ms(inJobMs)} inside the job (mean job − mean baseline copy)`,
    `  + ${ms(idleMs)} scheduling (slot time unused per job, Glint's less the baseline's)`,
    `median job − median baseline copy: ${ms(medianJob - medianCopy)} ` +
      `(${(medianJob / medianCopy).toFixed(2)}× the baseline copy)`,
  ];
  for (const line of figures) console.log(line);
  printFailedAttempts(daemons);
  const resultsDir = join(__dirname, 'results');
  await mkdir(resultsDir, { recursive: true });
  await writeFile(
    join(resultsDir, `${new Date().toISOString()}.json`),
    JSON.stringify(
      {
        imageCount,
        size,
        daemonCount,
        concurrency,
        baseline: { wallMs: pipe.wallMs, copyMs: pipe.copyMs },
        glint: { wallMs: glintMs, polledMs, applyMs, jobMs, waitMs, retried },
        siteLimit,
        parallelism,
        ratio,
        overheadMs,
        inJobMs,
        idleMs,
      },
      null,
      2,
    ),
  );
}

/** Attempts that failed and were retried leave no trace on the rows; the daemons log them. */
function printFailedAttempts(daemons: DaemonProcess[]): void {
  const failedAttempts = new Map<string, number>();
  for (const line of daemons.flatMap((d) => d.log)) {
    const failure = failedAttempt(line);
    if (failure === undefined) continue;
    const message = failure.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>');
    failedAttempts.set(message, (failedAttempts.get(message) ?? 0) + 1);
  }
  for (const [message, count] of failedAttempts)
    console.log(`failed attempts (daemon log): ${count}× ${message}`);
}
