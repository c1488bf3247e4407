/** Images put straight on sandbox clouds (as a user would outside Glint), removed again afterwards. */
import { randomUUID } from 'node:crypto';
import { createAdapter, type CloudAdapter, type ImageInfo } from '@glint/cloud-adapters';
import { passwordCredential, siteConfig, type SandboxCloud } from '../../../test-support/sandbox';
import { randomImageStream } from '../../../test-support/random-image';

export class CloudImages {
  private readonly adapters = new Map<number, CloudAdapter>();
  private readonly made: { adapter: CloudAdapter; id: string }[] = [];

  adapter(cloud: SandboxCloud): CloudAdapter {
    let adapter = this.adapters.get(cloud.index);
    if (!adapter) {
      adapter = createAdapter('openstack', siteConfig(cloud), passwordCredential(cloud));
      this.adapters.set(cloud.index, adapter);
    }
    return adapter;
  }

  /** An active private image of `size` bytes generated from `seed`; the same seed, the same content. */
  async seed(
    cloud: SandboxCloud,
    name: string,
    seed: string,
    properties: Record<string, string> = {},
    size = 64 * 1024,
  ): Promise<ImageInfo> {
    const adapter = this.adapter(cloud);
    const image = await adapter.createImage({
      id: randomUUID(),
      name,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
      properties,
    });
    this.made.push({ adapter, id: image.id });
    await adapter.uploadImageData(image.id, randomImageStream(size, seed), { size });
    return adapter.getImage(image.id);
  }

  async remove(cloud: SandboxCloud, id: string): Promise<void> {
    await this.adapter(cloud).deleteImage(id);
  }

  async close(): Promise<void> {
    await Promise.all(this.made.map(({ adapter, id }) => adapter.deleteImage(id).catch(() => {})));
    await Promise.all([...this.adapters.values()].map((adapter) => adapter.close()));
  }
}
