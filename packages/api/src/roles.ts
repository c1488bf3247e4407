/**
 * Rights from Keystone roles. A caller's rights on the project their token is scoped to come from
 * their roles there, by Keystone's default names (reader, member, admin) or the operator's; Glint's
 * administrators are the holders of one role on one project, as Keystone's own admin_project.
 */

/** What a caller may do in their project, each level including the ones before it. */
export const projectRoles = ['reader', 'member', 'admin'] as const;
export type ProjectRole = (typeof projectRoles)[number];

/**
 * What a route needs, as its schema declares (`x-glint-role`): nobody (`public`), any logged-in
 * caller (`anyone`), a role on the caller's project, or a Glint administrator (`glint-admin`).
 */
export const routeRoles = ['public', 'anyone', ...projectRoles, 'glint-admin'] as const;
export type RouteRole = (typeof routeRoles)[number];

/** The Keystone role names behind each level, and where Glint's administrators are. */
export interface RoleSettings {
  reader: string[];
  member: string[];
  admin: string[];
  glintAdmin: { project: string; projectDomain: string; role: string } | null;
}

/** The highest level the roles give; null when they give none. */
export function projectRole(roles: readonly string[], settings: RoleSettings): ProjectRole | null {
  return (
    [...projectRoles].reverse().find((level) => roles.some((r) => settings[level].includes(r))) ??
    null
  );
}

/** Whether a token with these roles, scoped to this project, is a Glint administrator's. */
export function isGlintAdmin(
  project: { name: string; domainName: string } | null,
  roles: readonly string[],
  settings: RoleSettings,
): boolean {
  const admin = settings.glintAdmin;
  return (
    admin !== null &&
    project !== null &&
    project.name === admin.project &&
    project.domainName.toLowerCase() === admin.projectDomain.toLowerCase() &&
    roles.includes(admin.role)
  );
}

/** Whether `held` is `needed` or above it. */
export function includesRole(held: ProjectRole | null, needed: ProjectRole): boolean {
  return held !== null && projectRoles.indexOf(held) >= projectRoles.indexOf(needed);
}
