import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../../../errors';
import type { HomeLogin, KeystoneLogin } from '../../../plugins/app/keystone-identity';
import { LoginBody, LoginReply } from '../../../schemas/auth';
import { errorReplies } from '../../../schemas/errors';
import { startSession } from '../../../session-start';

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

/** Whose failed logins a login counts towards: the user (by name, in a domain) or the credential. */
function loginName({ credential, userDomain }: HomeLogin): string {
  if (credential.kind === 'application_credential' && credential.id)
    return `application credential ${credential.id}`;
  return `${userDomain}/${credential.username ?? ''}`;
}

/** POST /auth/login: a cookie session from a login to the home Keystone. */
const login: FastifyPluginAsyncTypebox = async (fastify) => {
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
      return startSession(fastify, request, reply, loggedIn);
    },
  );
};

export default login;
