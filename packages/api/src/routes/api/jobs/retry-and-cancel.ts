import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { Job, JobParams, RetryQuery } from '../../../schemas/jobs';

const tags = ['jobs'];

/** A job's failed parts run again, or the whole job stopped. */
const retryAndCancel: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/:id/retry',
    {
      schema: {
        'x-glint-role': 'member',
        tags,
        summary: 'Run the failed or cancelled parts of a job again, as a new job',
        description:
          'The new job has a part for each failed or cancelled destination of the old one, or for those `site` names. The old job stays in the history as it ended.',
        params: JobParams,
        querystring: RetryQuery,
        response: { 202: Job, ...errorReplies },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await fastify.jobs.retry(projectCallerOf(request), request.params.id, request.query.site),
        ),
  );

  fastify.post(
    '/:id/cancel',
    {
      schema: {
        'x-glint-role': 'member',
        tags,
        summary: 'Cancel a queued or running job, every destination of it',
        description:
          'A queued job ends cancelled at once (200). A running one is asked to stop (202): its daemon stops the streams, removes the half-made copies and marks it cancelled, which the event stream tells.',
        params: JobParams,
        response: { 200: Job, 202: Job, ...errorReplies },
      },
    },
    async (request, reply) => {
      const { job, stopping } = await fastify.jobs.cancel(
        projectCallerOf(request),
        request.params.id,
      );
      return reply.code(stopping ? 202 : 200).send(job);
    },
  );
};

export default retryAndCancel;
