import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../../../errors';
import { authOf, sessionCookie } from '../../../plugins/app/authentication';
import type { HomeLogin } from '../../../plugins/app/keystone-identity';
import { CsrfReply, LoginBody, LoginReply, SessionReply } from '../../../schemas/auth';
import { errorReplies } from '../../../schemas/errors';
import { meView } from '../../../schemas/me';

function homeLogin(body: LoginBody): HomeLogin {
  const userDomain = body.userDomain ?? 'Default';
  if ('password' in body) {
    return {
      credential: { kind: 'password', username: body.username, password: body.password },
      userDomain,
      ...(body.project
        ? { project: { name: body.project, domain: body.projectDomain ?? userDomain } }
        : {}),
    };
  }
  return {
    credential: {
      kind: 'application_credential',
      id: body.applicationCredentialId,
      name: body.applicationCredentialName,
      username: body.username,
      secret: body.applicationCredentialSecret,
    },
    userDomain,
  };
}

const auth: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in to the home Keystone and start a cookie session',
        description:
          'Sets the httpOnly session cookie and returns the CSRF token to send as X-CSRF-Token on every POST, PATCH, PUT ' +
          'and DELETE of the session. The session lasts GLINT_SESSION_TTL seconds, and never beyond the Keystone token.',
        security: [],
        body: LoginBody,
        response: { 200: LoginReply, ...errorReplies },
      },
    },
    async (request, reply) => {
      const caller = await fastify.callerFor(await fastify.keystone.login(homeLogin(request.body)));
      // A new id at every login: a session id planted before it (fixation) is worth nothing after.
      const previous = request.cookies[sessionCookie];
      if (previous) await fastify.sessions.delete(previous);
      const session = await fastify.openSession(reply, caller);
      return {
        user: meView({ method: 'session', caller: session.caller }),
        csrfToken: session.csrfToken,
      };
    },
  );

  fastify.get(
    '/session',
    {
      config: { public: true },
      schema: {
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

export default auth;
