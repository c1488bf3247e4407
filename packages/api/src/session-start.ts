import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookie } from './plugins/app/authentication';
import type { KeystoneLogin } from './plugins/app/keystone-identity';
import { meView } from './schemas/me';

/** A new cookie session for the login; any the browser had before ends. */
export async function startSession(
  fastify: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  { identity, token }: KeystoneLogin,
) {
  const caller = await fastify.callerFor(identity);
  // A new id at every login: a session id planted before it (fixation) is worth nothing after.
  const previous = request.cookies[sessionCookie];
  if (previous) await fastify.sessions.delete(previous);
  const session = await fastify.openSession(reply, caller, token);
  return {
    user: meView({ method: 'session', caller: session.caller }),
    csrfToken: session.csrfToken,
  };
}
