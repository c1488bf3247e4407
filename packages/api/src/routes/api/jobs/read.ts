import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { Job, JobList, JobParams, JobQuery } from '../../../schemas/jobs';

const tags = ['jobs'];

/** The project's jobs, and one of them. */
const readJobs: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'Your jobs, newest first',
        querystring: JobQuery,
        response: { 200: JobList, ...errorReplies },
      },
    },
    async (request) => {
      const { state, operation, image, site, offset, limit } = request.query;
      const page = await fastify.jobs.list(projectCallerOf(request), {
        state,
        operation,
        imageId: image,
        siteId: site,
        offset,
        limit,
      });
      return { jobs: page.jobs, page: { offset, limit, total: page.total } };
    },
  );

  fastify.get(
    '/:id',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'One of your jobs, with its error text',
        params: JobParams,
        response: { 200: Job, ...errorReplies },
      },
    },
    async (request) => fastify.jobs.get(projectCallerOf(request), request.params.id),
  );
};

export default readJobs;
