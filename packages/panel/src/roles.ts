/**
 * What the caller's role in the project lets them do, as the API's routes declare it
 * (`x-glint-role`): the panel offers an action only to a role the API would let through, and says
 * which role the others need instead of letting the API refuse them.
 */
import type { Me } from '@glint/api/replies';

export type Role = Me['role'];
export type NeededRole = Exclude<Role, null>;

const levels: NeededRole[] = ['reader', 'member', 'admin'];

/**
 * The role each kind of change needs: members place, upload, import and run jobs; admins also
 * manage sites, their credentials and labels, and standing rules. Members move a release's rollout
 * (promote, halt, resume, roll back, start the next wave).
 */
export const actionRoles = {
  place: 'member',
  upload: 'member',
  import: 'member',
  jobs: 'member',
  inventory: 'member',
  sites: 'admin',
  labels: 'admin',
  rules: 'admin',
  releases: 'member',
} as const satisfies Record<string, NeededRole>;
export type Action = keyof typeof actionRoles;

/** Whether `role` may do `action`; no role (an unscoped token) may do nothing. */
export function may(role: Role, action: Action): boolean {
  return role !== null && levels.indexOf(role) >= levels.indexOf(actionRoles[action]);
}

/** Why `action` is not offered to `role`, for a disabled control's title; undefined when it is. */
export function refusal(role: Role, action: Action): string | undefined {
  if (may(role, action)) return undefined;
  const yours = role ? `your role here is ${role}` : 'you have no role in this project';
  return `Needs the ${actionRoles[action]} role (${yours})`;
}
