import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../../../errors';
import { authOf, sessionCookie } from '../../../plugins/app/authentication';
import { CsrfReply, SessionReply } from '../../../schemas/auth';
import { errorReplies } from '../../../schemas/errors';
import { meView } from '../../../schemas/me';

/** A browser's cookie session: whether it has one, its CSRF token, and its end. */
const cookieSession: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/session',
    {
      schema: {
        'x-glint-role': 'public',
        tags: ['auth'],
        summary:
          'Whether this browser has a session, and whose: a page asks before it shows a login',
        description:
          'Never a 401, so a page that has no session yet logs no error. With a live session cookie: the user and a CSRF token for the session; without one, or with one that ended, `authenticated: false`.',
        security: [],
        response: { 200: SessionReply, ...errorReplies },
      },
    },
    async (request, reply) => {
      const sessionId = request.cookies[sessionCookie];
      const caller = sessionId ? await fastify.sessions.get(sessionId) : undefined;
      if (!sessionId || !caller) {
        if (sessionId) reply.clearCookie(sessionCookie, { path: '/' });
        return { authenticated: false as const };
      }
      return {
        authenticated: true as const,
        user: meView({ method: 'session', caller }),
        csrfToken: reply.generateCsrf({ userInfo: sessionId }),
      };
    },
  );

  fastify.get(
    '/csrf',
    {
      schema: {
        'x-glint-role': 'anyone',
        tags: ['auth'],
        summary: "A CSRF token for the session, e.g. after a page reload lost the login's",
        response: { 200: CsrfReply, ...errorReplies },
      },
    },
    async (request, reply) => {
      const session = authOf(request);
      if (session.method !== 'session') {
        throw new ApiError(
          400,
          'csrf_not_applicable',
          'requests with a Keystone token need no CSRF token; only cookie sessions do',
        );
      }
      return { csrfToken: reply.generateCsrf({ userInfo: session.sessionId }) };
    },
  );

  fastify.post(
    '/logout',
    {
      schema: {
        'x-glint-role': 'anyone',
        tags: ['auth'],
        summary: 'End the cookie session; with a Keystone token there is nothing to end',
        response: { 204: Type.Null(), ...errorReplies },
      },
    },
    async (request, reply) => {
      const session = authOf(request);
      if (session.method === 'session') await fastify.closeSession(reply, session.sessionId);
      return reply.code(204).send(null);
    },
  );
};

export default cookieSession;
