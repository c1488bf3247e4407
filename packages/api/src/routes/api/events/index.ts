import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GlintEvent } from '@glint/core';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';

/** A comment line often enough that proxies keep an idle stream open. */
const heartbeatMs = 15_000;

const events: FastifyPluginAsyncTypebox = async (fastify) => {
  // Open streams, ended when the server closes: they are never idle, so it would wait on them.
  const streams = new Set<() => void>();
  fastify.addHook('preClose', async () => {
    for (const end of streams) end();
  });

  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags: ['events'],
        summary: 'Your job and cell changes as Server-Sent Events',
        description:
          'Events `job` (a queue job changed state or progressed) and `cells` (read these sites’ cells again). ' +
          'Only the caller’s own events are ever sent.',
        produces: ['text/event-stream'],
        response: errorReplies,
      },
    },
    async (request, reply) => {
      const caller = projectCallerOf(request);
      const send = (event: GlintEvent) =>
        reply.raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      const stop = await fastify.events.listen(caller.ownerId, send);
      reply.hijack();
      // Hijacked, the reply writes only the raw response's headers: keep those hooks set (CORS).
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined) reply.raw.setHeader(name, value);
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      reply.raw.write(': connected\n\n');
      const heartbeat = setInterval(() => reply.raw.write(': keep-alive\n\n'), heartbeatMs);
      const end = () => {
        streams.delete(end);
        clearInterval(heartbeat);
        void stop();
        reply.raw.end();
      };
      streams.add(end);
      request.raw.once('close', end);
    },
  );
};

export default events;
