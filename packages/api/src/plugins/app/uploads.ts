import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Visibility } from '@glint/core';
import { copyFromStream, type CloudAdapter } from '@glint/cloud-adapters';
import type { NewJob } from '@glint/store';
import { ApiError } from '../../errors';
import type { ProjectCaller } from '../../caller';

export interface UploadRequest {
  sites: string[];
  name: string;
  diskFormat: string;
  containerFormat: string;
  visibility: Visibility;
  /** The announced length; the upload fails on any other. */
  size?: number;
}

export interface UploadOutcome {
  bytes: number;
  contentHash: { algo: string; value: string } | null;
  sites: {
    siteId: string;
    outcome: 'copied' | 'failed';
    cloudImageId: string | null;
    error: string | null;
  }[];
}

/**
 * Uploads: the request body streamed through the transfer engine to every chosen site at once,
 * never held whole. The upload is recorded in the job history, and the sites' inventories are
 * refreshed so the matrix shows the new copies.
 */
export class UploadService {
  constructor(private readonly fastify: FastifyInstance) {}

  async upload(
    caller: ProjectCaller,
    request: UploadRequest,
    data: Readable,
  ): Promise<UploadOutcome> {
    const adapters: CloudAdapter[] = [];
    try {
      // Every site is checked (and a 404 given) before a byte is read.
      for (const siteId of request.sites)
        adapters.push(await this.fastify.sites.openAdapter(caller, siteId));
      const result = await copyFromStream({
        sourceKey: 'upload',
        sourceName: request.name,
        data,
        ...(request.size !== undefined && { size: request.size }),
        spec: {
          name: request.name,
          diskFormat: request.diskFormat,
          containerFormat: request.containerFormat,
          visibility: request.visibility,
        },
        destinations: request.sites.map((siteId, i) => ({
          key: siteId,
          adapter: adapters[i]!,
          imageId: randomUUID(),
        })),
      });
      const sites = result.destinations.map((destination) => ({
        siteId: destination.key,
        outcome: destination.outcome === 'failed' ? ('failed' as const) : ('copied' as const),
        cloudImageId: destination.outcome === 'failed' ? null : (destination.imageId ?? null),
        error: destination.error?.message ?? null,
      }));
      await this.record(caller, request, sites, result.bytesRead);
      const copied = sites.filter((site) => site.outcome === 'copied');
      if (copied.length === 0)
        throw new ApiError(422, 'upload_failed', sites[0]?.error ?? 'the upload failed', sites);
      await this.fastify.inventory.refreshSites(
        caller,
        copied.map((site) => site.siteId),
      );
      return { bytes: result.bytesRead, contentHash: result.contentHash ?? null, sites };
    } finally {
      await Promise.all(adapters.map((adapter) => adapter.close()));
    }
  }

  private async record(
    caller: ProjectCaller,
    request: UploadRequest,
    sites: UploadOutcome['sites'],
    bytes: number,
  ): Promise<void> {
    const queueJobId = `upload-${randomUUID()}`;
    const rows: NewJob[] = sites.map((site) => ({
      queueJobId,
      operation: 'upload',
      imageId: null,
      imageName: request.name,
      sourceSiteId: null,
      destinationSiteId: site.siteId,
      bytesTotal: request.size ?? bytes,
      payload: null,
      outcome: {
        state: site.outcome === 'failed' ? 'failed' : 'succeeded',
        bytesDone: site.outcome === 'failed' ? 0 : bytes,
        error: site.error,
      },
    }));
    await this.fastify.outbox.record(caller, rows, {
      action: 'image.uploaded',
      targetId: queueJobId,
      details: { name: request.name, bytes, sites: sites.length },
    });
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    uploads: UploadService;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('uploads', new UploadService(fastify));
  },
  { name: 'uploads', dependencies: ['outbox', 'sites', 'inventory'] },
);
