import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../../errors';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import {
  SiteHistory,
  SiteHistoryParams,
  SiteHistoryQuery,
  TransferHistory,
  TransferHistoryQuery,
} from '../../../schemas/history';

const tags = ['history'];

/**
 * The hourly history the panel charts, from PostgreSQL (so the panel needs no Prometheus): the
 * caller's transfers by final state, and one site's traffic, failures and inventories.
 */
const history: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/transfers',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'Your finished transfers per hour, by final state',
        querystring: TransferHistoryQuery,
        response: { 200: TransferHistory, ...errorReplies },
      },
    },
    async (request) => {
      const { ownerId } = projectCallerOf(request);
      const { hours, site } = request.query;
      if (site && !(await fastify.repositories.sites.find(ownerId, site)))
        throw notFound('site', site);
      return { hours: await fastify.repositories.history.transferHours(ownerId, hours, site) };
    },
  );

  fastify.get(
    '/sites/:id',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary:
          'One of your sites per hour: bytes in and out, jobs succeeded and failed, inventories',
        params: SiteHistoryParams,
        querystring: SiteHistoryQuery,
        response: { 200: SiteHistory, ...errorReplies },
      },
    },
    async (request) => {
      const { ownerId } = projectCallerOf(request);
      const { id } = request.params;
      if (!(await fastify.repositories.sites.find(ownerId, id))) throw notFound('site', id);
      const { hours } = request.query;
      const [traffic, inventory] = await Promise.all([
        fastify.repositories.history.siteHours(ownerId, id, hours),
        fastify.repositories.history.inventoryHours(ownerId, id, hours),
      ]);
      return { hours: traffic, inventory };
    },
  );
};

export default history;
