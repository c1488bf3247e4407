/**
 * Connections made under the outbound policy (@glint/core's OutboundPolicy), for both HTTP stacks
 * the adapters use: undici (OpenStack, URL imports) and node:http agents (the AWS SDK). A host name
 * is resolved once per connection, every address is checked, and the socket goes only to checked
 * addresses; a literal address, which no lookup sees, is checked before connecting.
 */
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { OutboundRefusedError, type OutboundPolicy } from '@glint/core';
import type { buildConnector as BuildConnector } from 'undici';
import { buildConnector } from './http-client';

/** The port a URL's connection goes to when it names none. */
function portOf(port: string | number | null | undefined, protocol: string): number {
  return Number(port) || (protocol === 'https:' ? 443 : 80);
}

/**
 * An undici connector that connects only where the policy allows; `options` are buildConnector's
 * (TLS settings, time-outs). One connector per port, as the lookup checks host and port together.
 */
export function guardedConnector(
  policy: OutboundPolicy,
  options: BuildConnector.BuildOptions = {},
): BuildConnector.connector {
  const byPort = new Map<number, BuildConnector.connector>();
  return (target, callback) => {
    const port = portOf(target.port, target.protocol);
    try {
      policy.checkAddress({ host: target.hostname, port });
    } catch (error) {
      callback(error as Error, null);
      return;
    }
    let connect = byPort.get(port);
    if (!connect) {
      connect = buildConnector({ ...options, lookup: policy.lookup(port) });
      byPort.set(port, connect);
    }
    return connect(target, callback);
  };
}

type CreateConnection = (
  options: ClientRequestArgs,
  callback?: (error: Error | null, socket: Duplex) => void,
) => Duplex | null | undefined;

/** node:http's createConnection, under the policy: a refusal reaches the request as its error. */
function guardedCreateConnection(
  policy: OutboundPolicy,
  protocol: 'http:' | 'https:',
  base: CreateConnection,
): CreateConnection {
  return (options, callback) => {
    const port = portOf(options.port, options.protocol ?? protocol);
    const host = options.hostname ?? options.host ?? 'localhost';
    try {
      policy.checkAddress({ host, port });
    } catch (error) {
      callback?.(error as Error, undefined as unknown as Duplex);
      return undefined;
    }
    return base({ ...options, lookup: policy.lookup(port) }, callback);
  };
}

/** The AWS SDK's request handler with agents whose every connection is under the policy. */
export function guardedRequestHandler(policy: OutboundPolicy): NodeHttpHandler {
  // Loaded with the AWS SDK, on the first EC2 call: a process copying between Glances never does.
  const { NodeHttpHandler: Handler } =
    require('@smithy/node-http-handler') as typeof import('@smithy/node-http-handler');
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });
  httpAgent.createConnection = guardedCreateConnection(
    policy,
    'http:',
    httpAgent.createConnection.bind(httpAgent) as CreateConnection,
  );
  httpsAgent.createConnection = guardedCreateConnection(
    policy,
    'https:',
    httpsAgent.createConnection.bind(httpsAgent) as CreateConnection,
  );
  return new Handler({ httpAgent, httpsAgent });
}

/** The policy's refusal behind a failed request, however deep the HTTP stack wrapped it. */
export function outboundRefusal(error: unknown, depth = 0): OutboundRefusedError | undefined {
  if (error instanceof OutboundRefusedError) return error;
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  for (const inner of [...(Array.isArray(errors) ? errors : []), cause]) {
    const found = outboundRefusal(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}
