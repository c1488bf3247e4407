/** Glint's side: the API in-process, asked through its routes, and the jobs table watched. */
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { Client } from 'pg';
import type { ApiSession } from '../../test-support/api-session';
import type { DaemonProcess } from '../../test-support/daemon-process';
import { passwordCredential, siteConfig } from '../../test-support/sandbox';
import { clouds, imageCount, prefix, progress, sleep, timeoutMs } from './settings';

/** Registers each sandbox cloud as a site named after it; returns the site ids by cloud index. */
export async function addSites(
  server: FastifyInstance,
  session: ApiSession,
): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (const cloud of clouds) {
    const { type, ...config } = siteConfig(cloud);
    const created = await server.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: session.headers,
      payload: { type, name: cloud.name, config, credential: passwordCredential(cloud) },
    });
    if (created.statusCode !== 201) throw new Error(`adding ${cloud.name}: ${created.body}`);
    ids.set(cloud.index, created.json<{ id: string }>().id);
  }
  return ids;
}

interface MatrixPage {
  rows: { id: string; name: string; cells: { siteId: string; cloudImageId: string | null }[] }[];
  page: { total: number };
}

/**
 * The run's sources as matrix rows: the logical image and the site holding it. Rows are keyed by
 * image, since pages read while an inventory lands may overlap.
 */
export async function matrixSources(
  server: FastifyInstance,
  session: ApiSession,
): Promise<{ image: string; site: string }[]> {
  const found = new Map<string, { image: string; site: string }>();
  for (let offset = 0; ; offset += 500) {
    const response = await server.inject({
      method: 'GET',
      url: `/api/v1/matrix?name=${encodeURIComponent(`${prefix}src-`)}&limit=500&offset=${offset}`,
      headers: { cookie: session.cookie },
    });
    if (response.statusCode !== 200) throw new Error(`matrix: ${response.body}`);
    const { rows } = response.json<MatrixPage>();
    for (const row of rows) {
      const held = row.cells.filter((c) => c.cloudImageId !== null);
      if (held.length === 1) found.set(row.id, { image: row.id, site: held[0]!.siteId });
    }
    if (rows.length < 500) return [...found.values()];
  }
}

export interface JobRow {
  state: string;
  attempts: number;
  error: string | null;
  run_ms: number | null;
  wait_ms: number | null;
  finished_ms: number | null;
}

/** Polls the jobs table until every copy row succeeded; throws when one failed for good. */
export async function waitForJobs(db: Client, server: FastifyInstance, daemons: DaemonProcess[]) {
  const deadline = performance.now() + timeoutMs;
  let reported = performance.now();
  for (;;) {
    const { rows } = await db.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM jobs WHERE operation = 'copy' GROUP BY state`,
    );
    const count = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    const succeeded = count.succeeded ?? 0;
    if (succeeded === imageCount) return;
    if (performance.now() - reported > 5000) {
      reported = performance.now();
      progress(`${succeeded}/${imageCount} succeeded (${JSON.stringify(count)})`);
    }
    const gone = daemons.find((d) => d.child.exitCode !== null || d.child.signalCode !== null);
    if (gone) throw new Error(`a glint-daemon exited mid-run:\n${gone.log.slice(-40).join('\n')}`);
    if ((count.failed ?? 0) + (count.cancelled ?? 0) > 0) {
      // A row marked failed may be waiting for its retry; only an empty queue makes it final.
      const queued = await server.queues
        .queue('copy')
        .getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(queued).every((n) => n === 0) && !count.queued && !count.running) {
        const { rows: errors } = await db.query<{ error: string }>(
          `SELECT DISTINCT error FROM jobs WHERE state = 'failed' LIMIT 5`,
        );
        throw new Error(
          `copy jobs failed for good (${JSON.stringify(count)}): ` +
            errors.map((e) => e.error).join(' | '),
        );
      }
    }
    if (performance.now() > deadline) {
      throw new Error(
        `not every copy succeeded within ${timeoutMs / 1000} s: ${JSON.stringify(count)}`,
      );
    }
    await sleep(50);
  }
}
