import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { Matrix, MatrixQuery } from '../../../schemas/matrix';

const matrix: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags: ['matrix'],
        summary: 'Your images (rows) on your sites (columns), as the last inventory saw them',
        querystring: MatrixQuery,
        response: { 200: Matrix, ...errorReplies },
      },
    },
    (request): Promise<Matrix> => fastify.matrix.page(projectCallerOf(request), request.query),
  );
};

export default matrix;
