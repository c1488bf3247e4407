import type { Command } from 'commander';
import { ApiClient } from '../api-client';
import type { Me } from '@glint/api/replies';
import { action, examples } from '../command-kit';
import { UsageError } from '../errors';
import { keystoneProjects, rescopedToken } from '../keystone-projects';
import { currentSession, saveSession } from '../session';
import { renderTable } from '../table';

/**
 * Glint's data belongs to Keystone projects: `project list` shows the ones the user may switch to,
 * `project use` switches by re-scoping the session's Keystone token.
 */
export function projectCommands(program: Command): void {
  const project = program
    .command('project')
    .description(
      'Your Keystone projects, whose sites, images and jobs Glint shows; switch between them.',
    );
  examples(
    project
      .command('list')
      .description('The projects you may switch to; the current one is marked.')
      .action(
        action(async (ctx) => {
          const session = await currentSession();
          const projects = (await keystoneProjects(session)).map((p) => ({
            ...p,
            current: p.name === session.user.project,
          }));
          ctx.result({ projects }, () =>
            renderTable(
              ['', 'PROJECT', 'ID', 'DOMAIN'],
              projects.map((p) => [p.current ? '*' : '', p.name, p.id, p.domainId]),
            ),
          );
        }),
      ),
    ['glint project list', 'glint project list --json'],
  );
  examples(
    project
      .command('use')
      .argument('<project>', 'the name or id of the project')
      .description(
        'Switch to another of your projects: its sites, images and jobs, with your roles there. ' +
          'The session keeps its end (a re-scoped Keystone token lasts as long as the one it came from).',
      )
      .action(
        action(async (ctx, wanted: string) => {
          const session = await currentSession();
          const projects = await keystoneProjects(session);
          const target = projects.find((p) => p.id === wanted || p.name === wanted);
          if (!target)
            throw new UsageError(
              `you have no project ${wanted}; yours: ${projects.map((p) => p.name).join(', ') || 'none'}`,
            );
          const { token, expiresAt } = await rescopedToken(session, target);
          const me = await new ApiClient(session.apiUrl, token).get<Me>('/me');
          await saveSession({
            ...session,
            token,
            expiresAt,
            user: { ...session.user, project: me.project?.name ?? null },
          });
          ctx.result(
            { project: me.project, role: me.role },
            () => `Now in project ${target.name}${me.role ? ` as ${me.role}` : ''}.`,
          );
        }),
      ),
    ['glint project use atlas-images'],
  );
}
