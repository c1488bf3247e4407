import type { ProjectRole } from './roles';

/** An authenticated user as requests carry them. */
export interface Caller {
  /** Glint's id for the user (users.id): who acts, as the audit trail names them. */
  userId: string;
  keystoneUserId: string;
  name: string;
  domain: string;
  /** The Keystone project the login or token is scoped to; null when unscoped. */
  project: { id: string; name: string } | null;
  /** Glint's id for that project (projects.id), which owns what its members share. */
  ownerId: string | null;
  /** What the caller may do in that project, from their Keystone roles there. */
  role: ProjectRole | null;
  /** A Glint administrator (GLINT_ADMIN_ROLE on GLINT_ADMIN_PROJECT). */
  isAdmin: boolean;
  /** When the session or the Keystone token this caller came with ends (ISO 8601). */
  expiresAt: string;
}

/** A caller scoped to a project, which routes about the project's objects act for. */
export type ProjectCaller = Caller & { ownerId: string };
