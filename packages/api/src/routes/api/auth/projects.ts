import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../../errors';
import { authOf, callerKeystoneToken } from '../../../plugins/app/authentication';
import { ProjectList, LoginReply, SwitchProjectBody } from '../../../schemas/auth';
import { errorReplies } from '../../../schemas/errors';
import { startSession } from '../../../session-start';

/** The Keystone token to list or re-scope; a session from before Glint kept it must log in again. */
function keystoneTokenOf(request: FastifyRequest): string {
  const token = callerKeystoneToken(request);
  if (!token)
    throw new ApiError(
      409,
      'login_token_missing',
      "this session's Keystone token is not in the browser (it logged in before Glint kept it there): log in again",
    );
  return token;
}

/** The caller's Keystone projects, and a cookie session's switch to another of them. */
const projects: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/projects',
    {
      schema: {
        'x-glint-role': 'anyone',
        tags: ['auth'],
        summary: 'The Keystone projects you may switch to',
        description:
          'As the home Keystone lists them for your token (GET /v3/auth/projects); `current` is the one this session or ' +
          'token is scoped to. A cookie session switches with POST /api/v1/auth/project; a token caller gets a token ' +
          'scoped to the other project from Keystone.',
        response: { 200: ProjectList, ...errorReplies },
      },
    },
    async (request) => {
      const current = authOf(request).caller.project?.id;
      const projects = await fastify.keystone.projects(keystoneTokenOf(request));
      return { projects: projects.map((p) => ({ ...p, current: p.id === current })) };
    },
  );

  fastify.post(
    '/project',
    {
      schema: {
        'x-glint-role': 'anyone',
        tags: ['auth'],
        summary:
          "Switch the cookie session to another of your projects, re-scoping its login's Keystone token",
        description:
          'The session ends and a new one starts, scoped to the project, with your roles there: a new session cookie ' +
          'and CSRF token, as at login. It lasts no longer than the first login’s Keystone token.',
        body: SwitchProjectBody,
        response: { 200: LoginReply, ...errorReplies },
      },
    },
    async (request, reply) => {
      if (authOf(request).method !== 'session')
        throw new ApiError(
          400,
          'session_required',
          'only a cookie session switches projects here: with a Keystone token, send one scoped to the other project',
        );
      const rescoped = await fastify.keystone.rescope(
        keystoneTokenOf(request),
        request.body.project,
      );
      return startSession(fastify, request, reply, rescoped);
    },
  );
};

export default projects;
