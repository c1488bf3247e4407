/** Images put straight on sandbox clouds (as a user would outside Glint), removed again afterwards. */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import {
  createAdapter,
  GlanceClient,
  type CloudAdapter,
  type ImageInfo,
  type OpenStackAdapter,
} from '@glint/cloud-adapters';
import { passwordCredential, sandboxOutbound, siteConfig, type SandboxCloud } from './sandbox';
import { randomImageStream } from './random-image';

export class CloudImages {
  private readonly adapters = new Map<number, CloudAdapter>();
  private readonly made: { adapter: CloudAdapter; id: string }[] = [];

  adapter(cloud: SandboxCloud): CloudAdapter {
    let adapter = this.adapters.get(cloud.index);
    if (!adapter) {
      adapter = createAdapter('openstack', siteConfig(cloud), passwordCredential(cloud), {
        outbound: sandboxOutbound(),
      });
      this.adapters.set(cloud.index, adapter);
    }
    return adapter;
  }

  /** An active private image of `size` bytes generated from `seed`; the same seed, the same content. */
  seed(
    cloud: SandboxCloud,
    name: string,
    seed: string,
    properties: Record<string, string> = {},
    size = 64 * 1024,
  ): Promise<ImageInfo> {
    return this.upload(
      cloud,
      { name, diskFormat: 'raw', properties },
      randomImageStream(size, seed),
      size,
    );
  }

  /** An active private image of the `size` bytes `data` gives. */
  async upload(
    cloud: SandboxCloud,
    spec: { name: string; diskFormat: string; properties?: Record<string, string> },
    data: Readable,
    size: number,
  ): Promise<ImageInfo> {
    const adapter = this.adapter(cloud);
    const image = await adapter.createImage({
      id: randomUUID(),
      name: spec.name,
      diskFormat: spec.diskFormat,
      containerFormat: 'bare',
      visibility: 'private',
      properties: spec.properties ?? {},
    });
    this.made.push({ adapter, id: image.id });
    await adapter.uploadImageData(image.id, data, { size });
    return adapter.getImage(image.id);
  }

  /**
   * The images called `name` on the cloud, straight from its Glance, whatever their status; the
   * hidden ones too with `includeHidden` (a copy in flight is hidden until verified), else as a
   * user's listing shows them.
   */
  async named(cloud: SandboxCloud, name: string, includeHidden = false): Promise<ImageInfo[]> {
    const found: ImageInfo[] = [];
    for await (const image of this.adapter(cloud).listImages({ name, includeHidden }))
      found.push(image);
    return found;
  }

  /** Hides the image (os_hidden=true), as Glint's releases and image managers do, in Glance itself. */
  async hide(cloud: SandboxCloud, id: string): Promise<void> {
    const adapter = this.adapter(cloud) as OpenStackAdapter;
    const agent = new Agent();
    try {
      const glance = new GlanceClient(await adapter.keystone.imageEndpoint(), adapter.keystone, {
        dispatcher: agent,
      });
      await glance.updateImage(id, [{ op: 'replace', path: '/os_hidden', value: true }]);
    } finally {
      await agent.close();
    }
  }

  async remove(cloud: SandboxCloud, id: string): Promise<void> {
    await this.adapter(cloud).deleteImage(id);
  }

  async close(): Promise<void> {
    await Promise.all(this.made.map(({ adapter, id }) => adapter.deleteImage(id).catch(() => {})));
    await Promise.all([...this.adapters.values()].map((adapter) => adapter.close()));
  }
}
