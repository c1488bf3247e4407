import { CliError } from './errors';
import type { Session } from './session';

/** A project the session's user may scope a token to. */
export interface KeystoneProject {
  id: string;
  name: string;
  domainId: string;
}

async function keystoneCall(
  session: Session,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  try {
    return await fetch(`${session.authUrl}${path}`, {
      ...init,
      headers: { accept: 'application/json', 'x-auth-token': session.token, ...init.headers },
    });
  } catch (error) {
    throw new CliError(
      `could not reach Keystone at ${session.authUrl}: ${(error as Error).message}`,
    );
  }
}

/** The projects the user of the session's token may scope to (Keystone's GET /auth/projects). */
export async function keystoneProjects(session: Session): Promise<KeystoneProject[]> {
  const response = await keystoneCall(session, '/auth/projects');
  if (!response.ok)
    throw new CliError(
      `Keystone did not list your projects (${response.status}): run glint login again`,
    );
  const { projects } = (await response.json()) as {
    projects: { id: string; name: string; domain_id: string }[];
  };
  return projects
    .map((p) => ({ id: p.id, name: p.name, domainId: p.domain_id }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A token of the same user scoped to another project, from the session's own token (Keystone's
 * token method: no password asked again; it ends when the session's token ends).
 */
export async function rescopedToken(
  session: Session,
  project: KeystoneProject,
): Promise<{ token: string; expiresAt: string }> {
  const response = await keystoneCall(session, '/auth/tokens?nocatalog', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['token'], token: { id: session.token } },
        scope: { project: { id: project.id } },
      },
    }),
  });
  const token = response.headers.get('x-subject-token');
  if (response.status !== 201 || !token)
    throw new CliError(
      `Keystone would not scope your token to project ${project.name} (${response.status})`,
    );
  const body = (await response.json()) as { token: { expires_at: string } };
  return { token, expiresAt: body.token.expires_at };
}
