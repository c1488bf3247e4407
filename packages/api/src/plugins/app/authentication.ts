import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { AppOptions } from '../../app';
import { isGlintAdmin, projectRole } from '../../roles';
import { ApiError } from '../../errors';
import type { Caller } from '../../caller';
import type { KeystoneIdentity } from './keystone-identity';

/** How a request proved who it is. Only cookie sessions need CSRF tokens. */
export type Authentication =
  { method: 'session'; sessionId: string; caller: Caller } | { method: 'token'; caller: Caller };

export const sessionCookie = 'glint_session';

/**
 * The Keystone token of a cookie session's login, kept by the browser (httpOnly, sent to the auth
 * routes only) rather than by Glint, so the session can switch projects by re-scoping it.
 */
export const keystoneTokenCookie = 'glint_keystone_token';
const keystoneTokenPath = '/api/v1/auth';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authentication | null;
  }
  interface FastifyInstance {
    /**
     * onRequest hook: who the caller is, from a Keystone token or else the session cookie; 401 if
     * neither, unless the route is public.
     */
    authenticate(request: FastifyRequest): Promise<void>;
    /** onRequest hook: cookie sessions must send their CSRF token on anything that changes state. */
    verifyCsrf: onRequestHookHandler;
    /** The caller for a Keystone identity, recorded as a user. */
    callerFor(identity: KeystoneIdentity): Promise<Caller>;
    /**
     * Starts a cookie session for the caller, who logged in with `keystoneToken`; returns the CSRF
     * token that goes with it.
     */
    openSession(
      reply: FastifyReply,
      caller: Caller,
      keystoneToken: string,
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

/**
 * The caller's Keystone token: the one the request came with, or the one its cookie session logged
 * in with (sent to the auth routes only).
 */
export function callerKeystoneToken(request: FastifyRequest): string | undefined {
  return keystoneToken(request) ?? request.cookies[keystoneTokenCookie];
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

/** The caller a validated Keystone identity is, recorded as a user of its project. */
function callerFactory(fastify: FastifyInstance, roles: AppOptions['config']['roles']) {
  return async (identity: KeystoneIdentity): Promise<Caller> => {
    const isAdmin = isGlintAdmin(identity.project, identity.roles, roles);
    const user = await fastify.repositories.users.upsert(identity, isAdmin);
    const { project } = identity;
    return {
      userId: user.id,
      keystoneUserId: identity.userId,
      name: identity.userName,
      domain: identity.domainName,
      project: project && { id: project.id, name: project.name },
      ownerId: project && (await fastify.repositories.projects.upsert(project)),
      role: project && projectRole(identity.roles, roles),
      isAdmin,
      expiresAt: identity.expiresAt,
    };
  };
}

/**
 * The request's caller, from its Keystone token (validated once per `tokenCacheSeconds`) or its
 * cookie session; routes that say they are public need none.
 */
function authenticator(fastify: FastifyInstance, tokenCacheSeconds: number) {
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

  return async (request: FastifyRequest): Promise<void> => {
    if (request.routeOptions.schema?.['x-glint-role'] === 'public') return;
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
  };
}

/** Starts a cookie session for the caller, holding its Keystone token for the auth routes. */
function sessionOpener(fastify: FastifyInstance, session: AppOptions['config']['session']) {
  return async (reply: FastifyReply, caller: Caller, token: string) => {
    const sessionId = randomBytes(32).toString('base64url');
    // Never past the Keystone token's end: Keystone's revocation and expiry still govern.
    const ttlMs = Math.min(session.ttlSeconds * 1000, msUntil(caller.expiresAt));
    const sessionCaller = { ...caller, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
    await fastify.sessions.put(sessionId, sessionCaller, ttlMs);
    const cookie = {
      httpOnly: true,
      sameSite: 'strict' as const,
      secure: session.secureCookie,
      maxAge: Math.floor(ttlMs / 1000),
    };
    reply.setCookie(sessionCookie, sessionId, { ...cookie, path: '/' });
    reply.setCookie(keystoneTokenCookie, token, { ...cookie, path: keystoneTokenPath });
    return { caller: sessionCaller, csrfToken: reply.generateCsrf({ userInfo: sessionId }) };
  };
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    const { roles, session, tokenCacheSeconds } = opts.config;
    fastify.decorateRequest('auth', null);

    fastify.decorate('callerFor', callerFactory(fastify, roles));
    fastify.decorate('authenticate', authenticator(fastify, tokenCacheSeconds));
    fastify.decorate('verifyCsrf', function verifyCsrf(request, reply, done) {
      if (request.auth?.method === 'session' && !safeMethods.has(request.method)) {
        fastify.csrfProtection(request, reply, done);
      } else {
        done();
      }
    } satisfies onRequestHookHandler);

    fastify.decorate('openSession', sessionOpener(fastify, session));

    fastify.decorate('closeSession', async (reply: FastifyReply, sessionId: string) => {
      await fastify.sessions.delete(sessionId);
      reply.clearCookie(sessionCookie, { path: '/' });
      reply.clearCookie(keystoneTokenCookie, { path: keystoneTokenPath });
    });
  },
  {
    name: 'authentication',
    dependencies: ['caller-store', 'keystone-identity', 'repositories', 'csrf'],
  },
);
