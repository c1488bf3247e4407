/**
 * A real Prometheus (Debian's `prometheus`, which deploy/test-env installs) of a test's own, on a
 * free loopback port with a generated configuration, and its HTTP API as a test reads it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port';
import { until } from './until';

export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface TestPrometheus {
  url: string;
  /** An instant query's result vector. */
  query(expr: string): Promise<PrometheusSample[]>;
  /** The alerts as the rules see them now (pending or firing). */
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus in `dir` with `config` (YAML) and the rule files given by name; waits until ready. */
export async function startPrometheus(
  dir: string,
  config: string,
  ruleFiles: Record<string, string> = {},
): Promise<TestPrometheus> {
  await mkdir(join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, 'prometheus.yml'), config);
  for (const [name, text] of Object.entries(ruleFiles)) await writeFile(join(dir, name), text);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log: string[] = [];
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout!, child.stderr!])
    stream.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await until(
    'Prometheus to be ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited:\n${log.join('')}`);
      return fetch(`${url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
    },
    30_000,
    200,
  );
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}/api/v1/${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus: ${path}: ${body.error}`);
    return body.data;
  };
  return {
    url,
    async query(expr) {
      const data = await api<{ result: PrometheusSample[] }>(
        `query?query=${encodeURIComponent(expr)}`,
      );
      return data.result;
    },
    async alerts() {
      return (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>('alerts'))
        .alerts;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
