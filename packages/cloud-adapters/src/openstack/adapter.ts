import type { Readable } from 'node:stream';
import type { Agent } from 'undici';
import {
  backoffDelay,
  sleep,
  type OpenStackCredential,
  type OpenStackSiteConfig,
  type OutboundPolicy,
} from '@glint/core';
import type {
  AwaitActiveOptions,
  CloudAdapter,
  Download,
  DownloadOptions,
  HealthReport,
  ImageInfo,
  ImageQuery,
  ImageSpec,
  PropertyChanges,
  ServerSideCopy,
  UploadOptions,
  Validation,
} from '../adapter';
import { TransientError } from '../errors';
import { GlanceClient } from './glance';
import { glanceDownload } from './glance-download';
import { createSiteAgent } from './http';
import { glanceCreateBody, imageInfoFromGlance, propertyPatch } from './image-mapping';
import { KeystoneSession, selectImageEndpoint } from './keystone';
import { GlanceReleaseNaming } from './release-naming';
import { openStackSiteType } from './site-type';

export interface OpenStackAdapterOptions {
  /** Where the site's connections may go: Keystone, the catalog's Glance, the override. */
  outbound: OutboundPolicy;
  /** Images per list page; see GlanceClientOptions. */
  pageSize?: number;
}

/** One OpenStack site: a Keystone v3 login and the Glance v2 endpoint its catalog names. */
export class OpenStackAdapter implements CloudAdapter {
  readonly siteType = 'openstack';
  readonly resumableUploads = openStackSiteType.capabilities.resumableUploads;
  /** Glance hashes what it stores. */
  readonly digestsReceived = true;
  /** os_hidden, since Rocky: a copy is created hidden and shown once verified. */
  readonly hidesImages = true;
  readonly keystone: KeystoneSession;
  readonly releaseNaming: GlanceReleaseNaming;
  private readonly agent: Agent;
  private glanceClient?: Promise<GlanceClient>;

  constructor(
    private readonly config: OpenStackSiteConfig,
    credential: OpenStackCredential,
    private readonly options: OpenStackAdapterOptions,
  ) {
    this.agent = createSiteAgent(config, options.outbound);
    this.keystone = new KeystoneSession(config, credential, { dispatcher: this.agent });
    this.releaseNaming = new GlanceReleaseNaming({
      glance: () => this.glance(),
      projectId: async () => (await this.keystone.current()).projectId,
    });
  }

  async validate(): Promise<Validation> {
    const token = await this.keystone.refresh();
    const imageEndpoint =
      this.config.imageEndpointOverride ??
      selectImageEndpoint(token.catalog, this.config, this.keystone.authUrl);
    await (await this.glance(imageEndpoint)).checkAccess();
    return {
      projectId: token.projectId,
      userId: token.userId,
      imageEndpoint,
      expiresAt: token.expiresAt,
    };
  }

  async *listImages(query?: ImageQuery): AsyncIterable<ImageInfo> {
    const glance = await this.glance();
    for await (const image of glance.listImages(query)) yield imageInfoFromGlance(image);
  }

  async getImage(id: string): Promise<ImageInfo> {
    return imageInfoFromGlance(await (await this.glance()).getImage(id));
  }

  async openDownload(id: string, options?: DownloadOptions): Promise<Download> {
    return (await this.glance()).openDownload(id, options);
  }

  async createImage(spec: ImageSpec): Promise<ImageInfo> {
    const body = glanceCreateBody(spec);
    return imageInfoFromGlance(await (await this.glance()).createImage(body));
  }

  async uploadImageData(id: string, data: Readable, options?: UploadOptions): Promise<void> {
    return (await this.glance()).uploadData(id, data, options);
  }

  /** Polls until Glance reports the image active; it may still be finishing its write. */
  async awaitActive(id: string, { policy, signal }: AwaitActiveOptions): Promise<ImageInfo> {
    for (let attempt = 1; ; attempt++) {
      const image = await this.getImage(id);
      if (image.status === 'active') return image;
      const stillWriting = image.status === 'saving' || image.status === 'importing';
      if (!stillWriting || attempt > policy.retries) {
        throw new TransientError(
          `copy ${id} is ${image.status}, not active, after its data was sent`,
        );
      }
      await sleep(backoffDelay(policy, attempt), signal);
    }
  }

  async deleteImage(id: string): Promise<void> {
    return (await this.glance()).deleteImage(id);
  }

  /**
   * glance-download (./glance-download.ts), when the source is another region of this site's
   * Keystone and this region's Glance lists the method in its import info.
   */
  async serverSideCopyFrom(source: CloudAdapter): Promise<ServerSideCopy | undefined> {
    if (!(source instanceof OpenStackAdapter)) return undefined;
    const [sourceRegion, region] = [source.config.region, this.config.region];
    if (
      source.keystone.authUrl !== this.keystone.authUrl ||
      !sourceRegion ||
      !region ||
      sourceRegion === region
    )
      return undefined;
    const glance = await this.glance();
    if (!(await glance.importMethods()).includes('glance-download')) return undefined;
    const { projectId } = await this.keystone.current();
    return glanceDownload({ destination: this, glance, region, projectId, source, sourceRegion });
  }

  async updateProperties(id: string, changes: PropertyChanges): Promise<void> {
    const glance = await this.glance();
    const operations = propertyPatch(await glance.getImage(id), changes);
    if (operations.length > 0) await glance.updateImage(id, operations);
  }

  async health(): Promise<HealthReport> {
    let started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const glance = await this.glance();
      // Logging in is not the latency being measured; it happens about once an hour.
      await this.keystone.token();
      started = performance.now();
      await glance.checkAccess();
      const latencyMs = elapsed();
      return {
        ok: true,
        latencyMs,
        detail: `Glance at ${glance.root} answered in ${latencyMs} ms`,
      };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { ok: false, latencyMs: elapsed(), detail };
    }
  }

  /** Closes the site's connections; the adapter is unusable afterwards. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /**
   * The Glance client, made once from the site's endpoint override, else from `endpoint` when the
   * caller already chose it, else from the catalog.
   */
  private glance(endpoint?: string): Promise<GlanceClient> {
    if (!this.glanceClient) {
      const chosen = endpoint ?? this.config.imageEndpointOverride;
      const client = (chosen ? Promise.resolve(chosen) : this.keystone.imageEndpoint()).then(
        (url) =>
          new GlanceClient(url, this.keystone, {
            dispatcher: this.agent,
            pageSize: this.options.pageSize,
          }),
      );
      this.glanceClient = client;
      // A failed lookup (Keystone down, say) is not remembered, so the next call tries again.
      client.catch(() => {
        if (this.glanceClient === client) this.glanceClient = undefined;
      });
    }
    return this.glanceClient;
  }
}
