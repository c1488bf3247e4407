import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import serviceApp from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { errorReply } from './errors';
import { loggerOptions } from './logger';
import { buildValidator } from './request-validation';

/** URLs that fail before routing, where the app's error handler cannot see them, answered alike. */
function malformedUrl(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = errorReply(error, request.id);
  request.log.info({ statusCode: status, error: body.error }, body.message);
  void reply.code(status).send(body);
}

/**
 * A request's id: the caller's X-Request-Id when it is a plain token (a proxy or client that
 * traces its own requests), else a fresh UUID, unique across every API instance and restart.
 */
function requestId(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  return typeof offered === 'string' && /^[\w.:-]{1,128}$/.test(offered) ? offered : randomUUID();
}

/** The configured server with the app registered, not yet listening. */
export function buildServer(
  config: Config,
  logger: FastifyServerOptions['logger'] = loggerOptions(config.logLevel),
): FastifyInstance {
  const { tls } = config;
  const server = Fastify({
    logger,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    genReqId: requestId,
    // Reject unknown fields (a mistyped "projectDomainName" should not pass silently) instead of dropping them.
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: { buildValidator } },
    frameworkErrors: malformedUrl as FastifyServerOptions['frameworkErrors'],
    ...(tls && {
      serverFactory: (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
        createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler),
    }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  server.register(fp(serviceApp), { config });
  return server;
}

/** Listens until SIGINT or SIGTERM, then stops taking requests and closes after the current ones finish. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const server = buildServer(config);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.log.info({ signal }, 'closing');
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          server.log.error({ err: error }, 'closing failed');
          process.exit(1);
        },
      );
    });
  }
  await server.listen({ host: config.host, port: config.port });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // A bad setting is the operator's to fix (exit 2, as glint-daemon); anything else is a failure.
    if (error instanceof ConfigError) {
      console.error(`glint-api: cannot start: ${error.message}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
