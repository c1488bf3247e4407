import type { Registry } from 'prom-client';

/**
 * A process's own metrics registry, with Node's process metrics (CPU, memory, file descriptors,
 * GC) and the event loop's lag. Each process keeps its own rather than prom-client's global one,
 * so an API and a daemon in one test process never mix their series.
 */
export function metricsRegistry(): Registry {
  // Loaded with the first registry: a daemon that serves no metrics never loads prom-client (~5 MiB).
  const { collectDefaultMetrics, Registry: Metrics } =
    require('prom-client') as typeof import('prom-client');
  const registry = new Metrics();
  // Sampling the event loop every 100 ms rather than prom-client's 10: a tenth of the wake-ups (a
  // measurable share of an idle daemon's CPU), and a lag under 100 ms is not an operator's concern.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return registry;
}
