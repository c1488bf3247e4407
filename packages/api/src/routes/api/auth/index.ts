import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../../../errors';
import { authOf, callerKeystoneToken, sessionCookie } from '../../../plugins/app/authentication';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HomeLogin, KeystoneLogin } from '../../../plugins/app/keystone-identity';
import {
  CsrfReply,
  LoginBody,
  LoginReply,
  ProjectList,
  SessionReply,
  SwitchProjectBody,
} from '../../../schemas/auth';
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

/** The Keystone token to list or re-scope; a session from before Glint kept it must log in again. */
function keystoneTokenOf(request: FastifyRequest): string {
  const token = callerKeystoneToken(request);
  if (!token)
    throw new ApiError(
      409,
      'login_token_missing',
      "this session's Keystone token is not in the browser (it logged in before Glint kept it there): log in again",
    );
  return token;
}

/** Whose failed logins a login counts towards: the user (by name, in a domain) or the credential. */
function loginName({ credential, userDomain }: HomeLogin): string {
  if (credential.kind === 'application_credential' && credential.id)
    return `application credential ${credential.id}`;
  return `${userDomain}/${credential.username ?? ''}`;
}

const auth: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/login',
    {
      schema: {
        'x-glint-role': 'public',
        tags: ['auth'],
        summary: 'Log in to the home Keystone and start a cookie session',
        description:
          'Sets the httpOnly session cookie and returns the CSRF token to send as X-CSRF-Token on every POST, PATCH, PUT ' +
          'and DELETE of the session. The session lasts GLINT_SESSION_TTL seconds, and never beyond the Keystone token. ' +
          'JSON only. After too many failed logins for a user name (GLINT_LOGIN_FAILURES_PER_USER) or from an address ' +
          '(GLINT_LOGIN_FAILURES_PER_ADDRESS), logins are refused with 429 and Retry-After until GLINT_LOGIN_FAILURE_WINDOW ends.',
        security: [],
        body: LoginBody,
        response: { 200: LoginReply, ...errorReplies },
      },
    },
    async (request, reply) => {
      const login = homeLogin(request.body);
      const name = loginName(login);
      await fastify.loginThrottle.check(reply, name, request.ip);
      let loggedIn: KeystoneLogin;
      try {
        loggedIn = await fastify.keystone.login(login);
      } catch (error) {
        if (error instanceof ApiError && error.statusCode === 401)
          await fastify.loginThrottle.failed(name, request.ip);
        throw error;
      }
      await fastify.loginThrottle.succeeded(name, request.ip);
      return startSession(request, reply, loggedIn);
    },
  );

  /** A new cookie session for the login; any the browser had before ends. */
  async function startSession(
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

  fastify.get(
    '/projects',
    {
      schema: {
        'x-glint-role': 'anyone',
        tags: ['auth'],
        summary: 'The Keystone projects you may switch to',
        description:
          'As the home Keystone lists them for your token (GET /v3/auth/projects); `current` is the one this session or ' +
          'token is scoped to. A cookie session switches with POST /api/v1/auth/project; a token caller gets a token ' +
          'scoped to the other project from Keystone.',
        response: { 200: ProjectList, ...errorReplies },
      },
    },
    async (request) => {
      const current = authOf(request).caller.project?.id;
      const projects = await fastify.keystone.projects(keystoneTokenOf(request));
      return { projects: projects.map((p) => ({ ...p, current: p.id === current })) };
    },
  );

  fastify.post(
    '/project',
    {
      schema: {
        'x-glint-role': 'anyone',
        tags: ['auth'],
        summary:
          "Switch the cookie session to another of your projects, re-scoping its login's Keystone token",
        description:
          'The session ends and a new one starts, scoped to the project, with your roles there: a new session cookie ' +
          'and CSRF token, as at login. It lasts no longer than the first login’s Keystone token.',
        body: SwitchProjectBody,
        response: { 200: LoginReply, ...errorReplies },
      },
    },
    async (request, reply) => {
      if (authOf(request).method !== 'session')
        throw new ApiError(
          400,
          'session_required',
          'only a cookie session switches projects here: with a Keystone token, send one scoped to the other project',
        );
      const rescoped = await fastify.keystone.rescope(
        keystoneTokenOf(request),
        request.body.project,
      );
      return startSession(request, reply, rescoped);
    },
  );

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

export default auth;
