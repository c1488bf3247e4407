import { Type, type Static } from '@fastify/type-provider-typebox';
import { Timestamp, Uuid } from './common';
import type { Caller } from '../caller';
import { projectRoles } from '../roles';

/** The caller as Glint knows them: their Keystone identity and how they came in. */
export const Me = Type.Object({
  id: Uuid("Glint's id for the user"),
  keystoneUserId: Type.String(),
  name: Type.String(),
  domain: Type.String({ description: "The user's Keystone domain" }),
  project: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()], {
    description: 'The project the login or token is scoped to; null when unscoped',
  }),
  ownerId: Type.Union([Uuid("Glint's id for the project"), Type.Null()], {
    description:
      "Glint's id for that project, which owns what its members share: the ownerId of the queue contract's payloads",
  }),
  role: Type.Union([Type.Enum(projectRoles), Type.Null()], {
    description:
      'What you may do in that project, from your Keystone roles there: reader sees, member also places, uploads and runs jobs, admin also manages sites and credentials',
  }),
  isAdmin: Type.Boolean({
    description: 'A Glint administrator: GLINT_ADMIN_ROLE on GLINT_ADMIN_PROJECT',
  }),
  authMethod: Type.Enum(['session', 'token'], {
    description: 'A cookie session, or a Keystone token on each request',
  }),
  expiresAt: Timestamp('When the session or the Keystone token ends'),
});
export type Me = Static<typeof Me>;

/** The Me view of an authenticated request. */
export function meView(auth: { method: 'session' | 'token'; caller: Caller }): Me {
  const { caller } = auth;
  return {
    id: caller.userId,
    keystoneUserId: caller.keystoneUserId,
    name: caller.name,
    domain: caller.domain,
    project: caller.project,
    ownerId: caller.ownerId,
    role: caller.role,
    isAdmin: caller.isAdmin,
    authMethod: auth.method,
    expiresAt: caller.expiresAt,
  };
}
