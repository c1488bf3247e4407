import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorReplies } from '../../../schemas/errors';
import { SiteTypeList, siteTypeList } from '../../../schemas/site-types';

const siteTypes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'anyone',
        tags: ['sites'],
        summary: 'The kinds of cloud Glint can use, their credentials and what each can do',
        response: { 200: SiteTypeList, ...errorReplies },
      },
    },
    async () => siteTypeList(),
  );
};

export default siteTypes;
