import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { AppOptions } from '../../app';
import { ApiError } from '../../errors';
import type { Caller } from '../../caller';
import type { KeystoneIdentity } from './keystone-identity';

/** How a request proved who it is. Only cookie sessions need CSRF tokens. */
export type Authentication =
  { method: 'session'; sessionId: string; caller: Caller } | { method: 'token'; caller: Caller };

export const sessionCookie = 'glint_session';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authentication | null;
  }
  interface FastifyContextConfig {
    /** The route needs no caller (login). */
    public?: boolean;
  }
  interface FastifyInstance {
    /** onRequest hook: who the caller is, from a Keystone token or else the session cookie; 401 if neither. */
    authenticate(request: FastifyRequest): Promise<void>;
    /** onRequest hook: cookie sessions must send their CSRF token on anything that changes state. */
    verifyCsrf: onRequestHookHandler;
    /** The caller for a Keystone identity, recorded as a user. */
    callerFor(identity: KeystoneIdentity): Promise<Caller>;
    /** Starts a cookie session for the caller; returns the CSRF token that goes with it. */
    openSession(
      reply: FastifyReply,
      caller: Caller,
    ): Promise<{ caller: Caller; csrfToken: string }>;
    closeSession(reply: FastifyReply, sessionId: string): Promise<void>;
  }
}

/** The caller of a route behind authentication. */
export function authOf(request: FastifyRequest): Authentication {
  if (!request.auth)
    throw new ApiError(401, 'authentication_required', 'this route needs a logged-in caller');
  return request.auth;
}

/** A Keystone token from `X-Auth-Token` or `Authorization: Bearer`. */
function keystoneToken(request: FastifyRequest): string | undefined {
  const header = request.headers['x-auth-token'];
  if (typeof header === 'string' && header !== '') return header;
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
}

function msUntil(isoTime: string): number {
  return Date.parse(isoTime) - Date.now();
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    const { keystone, session, tokenCacheSeconds } = opts.config;
    fastify.decorateRequest('auth', null);

    fastify.decorate('callerFor', async (identity: KeystoneIdentity): Promise<Caller> => {
      const isAdmin = identity.roles.some((role) => keystone.adminRoles.includes(role));
      const user = await fastify.repositories.users.upsert(identity, isAdmin);
      return {
        userId: user.id,
        keystoneUserId: identity.userId,
        name: identity.userName,
        domain: identity.domainName,
        project: identity.project,
        isAdmin,
        expiresAt: identity.expiresAt,
      };
    });

    async function tokenCaller(token: string): Promise<Caller> {
      const cached = await fastify.validatedTokens.get(token);
      if (cached) return cached;
      const caller = await fastify.callerFor(await fastify.keystone.validate(token));
      await fastify.validatedTokens.put(
        token,
        caller,
        Math.min(tokenCacheSeconds * 1000, msUntil(caller.expiresAt)),
      );
      return caller;
    }

    fastify.decorate('authenticate', async (request: FastifyRequest): Promise<void> => {
      if (request.routeOptions.config.public) return;
      const token = keystoneToken(request);
      if (token) {
        request.auth = { method: 'token', caller: await tokenCaller(token) };
        return;
      }
      const sessionId = request.cookies[sessionCookie];
      if (!sessionId) {
        throw new ApiError(
          401,
          'authentication_required',
          'log in with POST /api/v1/auth/login, or send a Keystone token as X-Auth-Token or Authorization: Bearer',
        );
      }
      const caller = await fastify.sessions.get(sessionId);
      if (!caller)
        throw new ApiError(
          401,
          'session_expired',
          'the session has ended (it expired, or you logged out): log in again',
        );
      request.auth = { method: 'session', sessionId, caller };
    });

    fastify.decorate('verifyCsrf', function verifyCsrf(request, reply, done) {
      if (request.auth?.method === 'session' && !safeMethods.has(request.method)) {
        fastify.csrfProtection(request, reply, done);
      } else {
        done();
      }
    } satisfies onRequestHookHandler);

    fastify.decorate('openSession', async (reply: FastifyReply, caller: Caller) => {
      const sessionId = randomBytes(32).toString('base64url');
      // Never past the Keystone token's end: Keystone's revocation and expiry still govern.
      const ttlMs = Math.min(session.ttlSeconds * 1000, msUntil(caller.expiresAt));
      const sessionCaller = { ...caller, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
      await fastify.sessions.put(sessionId, sessionCaller, ttlMs);
      reply.setCookie(sessionCookie, sessionId, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: session.secureCookie,
        maxAge: Math.floor(ttlMs / 1000),
      });
      return { caller: sessionCaller, csrfToken: reply.generateCsrf({ userInfo: sessionId }) };
    });

    fastify.decorate('closeSession', async (reply: FastifyReply, sessionId: string) => {
      await fastify.sessions.delete(sessionId);
      reply.clearCookie(sessionCookie, { path: '/' });
    });
  },
  {
    name: 'authentication',
    dependencies: ['caller-store', 'keystone-identity', 'repositories', 'csrf'],
  },
);
