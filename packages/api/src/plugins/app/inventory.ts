import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { notFound } from '../../errors';
import type { ProjectCaller } from '../../caller';
import { currentRequest } from './request-context';

export interface QueuedRefresh {
  siteId: string;
  jobId: string;
}

/**
 * Inventory refreshes. One queued refresh per site at a time: the job id is the site's, so a double
 * click while one waits or runs adds nothing, and finished jobs are removed so the next refresh can
 * queue again.
 */
export class InventoryService {
  constructor(private readonly fastify: FastifyInstance) {}

  async refresh(caller: ProjectCaller, siteId: string): Promise<QueuedRefresh> {
    if (!(await this.fastify.repositories.sites.find(caller.ownerId, siteId)))
      throw notFound('site', siteId);
    const [queued] = await this.enqueue(caller, [siteId]);
    return queued!;
  }

  /** Refreshes these of the caller's sites, already known to be theirs. */
  refreshSites(caller: ProjectCaller, siteIds: string[]): Promise<QueuedRefresh[]> {
    return this.enqueue(caller, siteIds);
  }

  async refreshAll(caller: ProjectCaller): Promise<QueuedRefresh[]> {
    const sites = await this.fastify.repositories.sites.list(caller.ownerId);
    return this.enqueue(
      caller,
      sites.map((site) => site.id),
    );
  }

  private async enqueue(caller: ProjectCaller, siteIds: string[]): Promise<QueuedRefresh[]> {
    const request = currentRequest();
    const queued = siteIds.map((siteId) => ({ siteId, jobId: `inventory-${siteId}` }));
    await this.fastify.queues.enqueue(
      'inventory',
      queued.map(({ siteId, jobId }) => ({
        id: jobId,
        payload: {
          version: 1,
          ownerId: caller.ownerId,
          siteId,
          ...(request && { requestId: request.id }),
        },
      })),
    );
    return queued;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    inventory: InventoryService;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('inventory', new InventoryService(fastify));
  },
  { name: 'inventory', dependencies: ['repositories', 'queues'] },
);
