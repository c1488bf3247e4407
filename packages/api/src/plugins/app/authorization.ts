import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { AppOptions } from '../../app';
import { ApiError } from '../../errors';
import { includesRole, routeRoles, type ProjectRole, type RouteRole } from '../../roles';
import { authOf } from './authentication';
import type { Caller, ProjectCaller } from '../../caller';

declare module 'fastify' {
  interface FastifySchema {
    /** Who may call the route (see RouteRole); the OpenAPI document shows it on the operation. */
    'x-glint-role'?: RouteRole;
  }
  interface FastifyInstance {
    /** onRequest hook, after authentication: 403 unless the caller holds the route's role. */
    authorize: onRequestHookHandler;
  }
}

/** The caller of a route that declares a project role, with the project they act in. */
export function projectCallerOf(request: FastifyRequest): ProjectCaller {
  const { caller } = authOf(request);
  if (caller.ownerId === null) throw projectScopeRequired();
  return caller as ProjectCaller;
}

/** The role a route declares. */
export function routeRole(request: FastifyRequest): RouteRole | undefined {
  return request.routeOptions.schema?.['x-glint-role'];
}

function projectScopeRequired(): ApiError {
  return new ApiError(
    403,
    'project_scope_required',
    "this route acts on a project's objects: log in with a project, or send a project-scoped Keystone token",
  );
}

/** The settings that name the Keystone roles of each level, for the refusal to point at. */
const roleSettings: Record<ProjectRole, string> = {
  reader: 'GLINT_READER_ROLES',
  member: 'GLINT_MEMBER_ROLES',
  admin: 'GLINT_PROJECT_ADMIN_ROLES',
};

function authorizeCaller(caller: Caller, needed: RouteRole): void {
  if (needed === 'public' || needed === 'anyone') return;
  if (needed === 'glint-admin') {
    if (!caller.isAdmin)
      throw new ApiError(
        403,
        'admin_required',
        "this route is for Glint's administrators (GLINT_ADMIN_ROLE on GLINT_ADMIN_PROJECT)",
      );
    return;
  }
  if (caller.ownerId === null) throw projectScopeRequired();
  if (!includesRole(caller.role, needed))
    throw new ApiError(
      403,
      'role_required',
      `this route needs the ${needed} role on project ${caller.project?.name ?? ''} (a role of ${roleSettings[needed]}); ` +
        `yours gives ${caller.role ?? 'no rights there'}`,
    );
}

/**
 * Every API route declares who may call it in its schema; a route that does not is a bug caught at
 * start-up, never a route open to all.
 */
export default fp<AppOptions>(
  async (fastify) => {
    fastify.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api/')) return;
      const role = route.schema?.['x-glint-role'];
      if (!role || !routeRoles.includes(role))
        throw new Error(
          `route ${String(route.method)} ${route.url} declares no x-glint-role in its schema (one of ${routeRoles.join(', ')})`,
        );
    });

    fastify.decorate('authorize', function authorize(request, _reply, done) {
      const needed = routeRole(request);
      if (needed === undefined || needed === 'public') return done();
      try {
        authorizeCaller(authOf(request).caller, needed);
        done();
      } catch (error) {
        done(error as Error);
      }
    } satisfies onRequestHookHandler);
  },
  { name: 'authorization', dependencies: ['authentication'] },
);
