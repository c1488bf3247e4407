import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../../plugins/app/authentication';
import { errorReplies } from '../../../schemas/errors';
import { Me, meView } from '../../../schemas/me';

const me: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'anyone',
        tags: ['auth'],
        summary: 'Who you are logged in as',
        response: { 200: Me, ...errorReplies },
      },
    },
    async (request) => meView(authOf(request)),
  );
};

export default me;
