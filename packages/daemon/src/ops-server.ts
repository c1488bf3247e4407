import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerMatches, checkReadiness, type ReadinessProbe } from '@glint/core';
import type { Registry } from 'prom-client';

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Required as a bearer token on /metrics when set (GLINT_METRICS_TOKEN). */
  token?: string;
  /** What /readyz checks. */
  probes: Record<string, ReadinessProbe>;
}

export interface OpsServer {
  /** The port it listens on (the one asked for, or the one the system chose for 0). */
  port: number;
  close(): Promise<void>;
}

function reply(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

const json = (response: ServerResponse, status: number, body: unknown) =>
  reply(response, status, 'application/json; charset=utf-8', JSON.stringify(body));

/**
 * The daemon's operator endpoints, on an address of their own (GLINT_DAEMON_METRICS_HOST, a
 * loopback or management address by default): `/metrics` for Prometheus, `/healthz` (the process
 * answers) and `/readyz` (PostgreSQL, Redis and the queue answer, and the schema is current) for
 * a supervisor or load balancer. A daemon has no other HTTP side, so a plain server does.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return json(response, 405, { error: 'method_not_allowed', message: 'use GET' });
    switch (path) {
      case '/healthz':
        return json(response, 200, { status: 'ok' });
      case '/readyz': {
        const readiness = await checkReadiness(options.probes);
        return json(response, readiness.ready ? 200 : 503, readiness);
      }
      case '/metrics':
        if (options.token && !bearerMatches(request.headers.authorization, options.token))
          return json(response, 401, {
            error: 'metrics_token_required',
            message: 'send GLINT_METRICS_TOKEN as Authorization: Bearer <token>',
          });
        return reply(response, 200, options.registry.contentType, await options.registry.metrics());
      default:
        return json(response, 404, {
          error: 'route_not_found',
          message: `there is no route ${path}: the daemon serves /metrics, /healthz and /readyz`,
        });
    }
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) =>
      json(response, 500, { error: 'internal', message: (error as Error).message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
