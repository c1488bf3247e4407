import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { JOBS, metricsRegistry } from '@glint/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The queues of the queue contract, each once (copies and imports share one). */
const queueNames = [...new Set(Object.values(JOBS).map((job) => job.queue))];
const kindOfQueue = (queue: string) =>
  Object.entries(JOBS).find(([, job]) => job.queue === queue)![0] as keyof typeof JOBS;

interface QueueState {
  queue: string;
  waiting: number;
  running: number;
  delayed: number;
  /** Seconds the oldest waiting job has waited since it was queued; 0 when none waits. */
  oldestWaiting: number;
  /** Seconds the longest-running job has run; 0 when none runs. */
  oldestRunning: number;
}

const secondsSince = (ms: number | undefined, now: number) => (ms ? (now - ms) / 1000 : 0);

/**
 * The API's metrics: its HTTP requests, and what it reads for the whole deployment at each scrape
 * (the queues, each site's inventory age), since every daemon would report the same. Labels are
 * bounded: a route is its pattern (`/api/v1/jobs/:id`), never the URL; a site is its id.
 */
export class ApiMetrics {
  readonly registry: Registry = metricsRegistry();
  /** One reading of the queues serves every gauge of one scrape. */
  private queueReading?: { at: number; states: Promise<QueueState[]> };

  readonly requests = new Counter({
    name: 'glint_http_requests_total',
    help: 'HTTP requests the API answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'glint_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(private readonly fastify: FastifyInstance) {
    const queueGauge = (name: string, help: string, read: (state: QueueState) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['queue'],
        registers: [this.registry],
        collect: async function () {
          this.reset();
          for (const state of await readQueues()) this.set({ queue: state.queue }, read(state));
        },
      });
    const readQueues = () => this.queues();
    new Gauge({
      name: 'glint_queue_jobs',
      help: 'Jobs on each queue by state: waiting (to be taken up), running, delayed (a retry after its back-off, or waiting for a busy site).',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      collect: async function () {
        this.reset();
        for (const state of await readQueues())
          for (const name of ['waiting', 'running', 'delayed'] as const)
            this.set({ queue: state.queue, state: name }, state[name]);
      },
    });
    queueGauge(
      'glint_queue_oldest_waiting_seconds',
      'How long the oldest job waiting on each queue has waited since it was queued.',
      (state) => state.oldestWaiting,
    );
    queueGauge(
      'glint_queue_oldest_running_seconds',
      'How long the longest-running job of each queue has run.',
      (state) => state.oldestRunning,
    );
    const pg = () => this.fastify.pg;
    const log = () => this.fastify.log;
    new Gauge({
      name: 'glint_site_inventory_age_seconds',
      help: "Seconds since each site's last inventory (since it was added, when it has had none).",
      labelNames: ['site'],
      registers: [this.registry],
      collect: async function () {
        this.reset();
        try {
          const { rows } = await pg().query<{ id: string; age: number }>(
            `SELECT id, extract(epoch FROM now() - coalesce(inventoried_at, created_at))::float8 AS age
             FROM sites`,
          );
          for (const row of rows) this.set({ site: row.id }, row.age);
        } catch (error) {
          // A scrape while PostgreSQL is away still gives every other metric (and /readyz says why).
          log().warn({ err: error }, 'site inventory ages unavailable');
        }
      },
    });
  }

  private queues(): Promise<QueueState[]> {
    const now = Date.now();
    if (!this.queueReading || now - this.queueReading.at > 1000)
      this.queueReading = { at: now, states: this.readQueues(now) };
    return this.queueReading.states;
  }

  private async readQueues(now: number): Promise<QueueState[]> {
    try {
      return await Promise.all(
        queueNames.map(async (queue) => {
          const q = this.fastify.queues.queue(kindOfQueue(queue));
          const counts = await q.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
          const [oldest] = await q.getWaiting(0, 0);
          const running = await q.getActive(0, -1);
          return {
            queue,
            waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
            running: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            oldestWaiting: secondsSince(oldest?.timestamp, now),
            oldestRunning: Math.max(0, ...running.map((job) => secondsSince(job.processedOn, now))),
          };
        }),
      );
    } catch (error) {
      this.fastify.log.warn({ err: error }, 'queue metrics unavailable');
      return [];
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics;
  }
}

export default fp(
  async (fastify) => {
    const metrics = new ApiMetrics(fastify);
    fastify.decorate('metrics', metrics);
    fastify.addHook('onResponse', async (request, reply) => {
      // A URL no route matched is counted under one label, whatever was asked for.
      const route = request.routeOptions.url ?? 'unmatched';
      const method = request.method;
      metrics.requests.inc({ method, route, status: String(reply.statusCode) });
      metrics.requestDuration.observe({ method, route }, reply.elapsedTime / 1000);
    });
  },
  { name: 'metrics', dependencies: ['postgres', 'queues'] },
);
