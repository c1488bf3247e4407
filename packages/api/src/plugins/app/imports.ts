import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { OutboundRefusedError, type ImportJob } from '@glint/core';
import type { NewJob } from '@glint/store';
import type { AppOptions } from '../../app';
import { ApiError, notFound } from '../../errors';
import type { ImportBody } from '../../schemas/images';
import type { ProjectCaller } from '../../caller';

export type ImportOutcome =
  | { status: 'queued'; jobId: string }
  | { status: 'present'; message: string; images: { id: string; name: string }[] };

/**
 * Imports from a URL, which the daemon fetches. The URL is checked here so a bad one is refused at
 * once; the daemon checks again when it connects, since DNS may answer differently by then.
 */
export class ImportService {
  constructor(
    private readonly fastify: FastifyInstance,
    private readonly options: AppOptions,
  ) {}

  async importUrl(caller: ProjectCaller, body: ImportBody): Promise<ImportOutcome> {
    const { repositories } = this.fastify;
    const sites = new Set((await repositories.sites.list(caller.ownerId)).map((site) => site.id));
    const unknown = body.sites.find((id) => !sites.has(id));
    if (unknown) throw notFound('site', unknown);
    try {
      await this.options.config.outbound.checkUrl(body.url);
    } catch (error) {
      if (error instanceof OutboundRefusedError)
        throw new ApiError(400, 'import_url_refused', error.message);
      throw error;
    }
    if (body.expectedHash) {
      const present = await repositories.matrix.withContent(caller.ownerId, body.expectedHash);
      if (present.length > 0)
        return {
          status: 'present',
          message:
            'an image with this content is already known; place it instead of importing it again',
          images: present,
        };
    }
    const queueJobId = `import-${randomUUID()}`;
    const payload: ImportJob = {
      version: 1,
      ownerId: caller.ownerId,
      url: body.url,
      name: body.name,
      diskFormat: body.diskFormat,
      containerFormat: body.containerFormat,
      ...(body.expectedSize !== undefined && { expectedSize: body.expectedSize }),
      ...(body.expectedHash && { expectedHash: body.expectedHash }),
      destinations: body.sites.map((siteId) => ({ siteId, cloudImageId: randomUUID() })),
      visibility: body.visibility,
      requestedBy: caller.userId,
    };
    const rows: NewJob[] = body.sites.map((siteId) => ({
      queueJobId,
      operation: 'import',
      imageId: null,
      imageName: body.name,
      sourceSiteId: null,
      destinationSiteId: siteId,
      bytesTotal: body.expectedSize ?? null,
      payload,
    }));
    await this.fastify.outbox.record(caller, rows, {
      action: 'image.import_requested',
      targetId: queueJobId,
      details: { name: body.name, sites: body.sites.length },
    });
    await this.fastify.outbox.dispatch([{ queueJobId, operation: 'import', payload }]);
    return { status: 'queued', jobId: queueJobId };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    imports: ImportService;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    fastify.decorate('imports', new ImportService(fastify, opts));
  },
  { name: 'imports', dependencies: ['repositories', 'outbox'] },
);
