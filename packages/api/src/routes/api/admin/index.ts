import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AdminImageList,
  AdminJobList,
  AdminPageQuery,
  AdminSiteList,
} from '../../../schemas/admin';
import { errorReplies } from '../../../schemas/errors';
import { siteRecordOf } from '../../../plugins/app/sites';

const tags = ['admin'];

const admin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { repositories } = fastify;

  fastify.get(
    '/sites',
    {
      schema: {
        'x-glint-role': 'glint-admin',
        tags,
        summary: 'Every project’s sites (Glint administrators only)',
        response: { 200: AdminSiteList, ...errorReplies },
      },
    },
    async () => ({
      sites: (await repositories.sites.listAll()).map((site) => ({
        ...siteRecordOf(site),
        ownerId: site.ownerId,
      })),
    }),
  );

  fastify.get(
    '/jobs',
    {
      schema: {
        'x-glint-role': 'glint-admin',
        tags,
        summary: 'Every project’s jobs, newest first (Glint administrators only)',
        querystring: AdminPageQuery,
        response: { 200: AdminJobList, ...errorReplies },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await repositories.jobs.list(null, { offset, limit });
      return { jobs: page.jobs, page: { offset, limit, total: page.total } };
    },
  );

  fastify.get(
    '/images',
    {
      schema: {
        'x-glint-role': 'glint-admin',
        tags,
        summary: 'Every project’s logical images (Glint administrators only)',
        querystring: AdminPageQuery,
        response: { 200: AdminImageList, ...errorReplies },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await repositories.matrix.allImages(offset, limit);
      return { images: page.images, page: { offset, limit, total: page.total } };
    },
  );
};

export default admin;
