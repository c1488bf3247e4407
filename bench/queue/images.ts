/** The run's images on the sandbox's Glances: seeded straight through the adapters, and removed. */
import type { CloudAdapter } from '@glint/cloud-adapters';
import { createAdapter } from '@glint/cloud-adapters';
import { randomImageStream } from '../../test-support/random-image';
import {
  passwordCredential,
  sandboxOutbound,
  siteConfig,
  type SandboxCloud,
} from '../../test-support/sandbox';
import {
  clouds,
  imageCount,
  inParallel,
  prefix,
  progress,
  seedParallelism,
  size,
} from './settings';

export interface Source {
  cloud: SandboxCloud;
  id: string;
  name: string;
}

const outbound = sandboxOutbound();
export const adapters = new Map(
  clouds.map((c) => [
    c.index,
    createAdapter('openstack', siteConfig(c), passwordCredential(c), { outbound }),
  ]),
);
export const adapterOf = (cloud: SandboxCloud): CloudAdapter => adapters.get(cloud.index)!;

/** Image i on cloud (i mod 3) + 1, each of its own random content, uploaded straight to Glance. */
export async function seed(): Promise<Source[]> {
  const sources: Source[] = Array.from({ length: imageCount }, (_, i) => ({
    cloud: clouds[i % clouds.length]!,
    id: '',
    name: `${prefix}src-${String(i).padStart(5, '0')}`,
  }));
  let done = 0;
  await inParallel(sources, seedParallelism, async (source) => {
    const adapter = adapterOf(source.cloud);
    const image = await adapter.createImage({
      name: source.name,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    });
    source.id = image.id;
    await adapter.uploadImageData(image.id, randomImageStream(size, source.name), { size });
    if (++done % 100 === 0) progress(`${done}/${imageCount} seeded`);
  });
  return sources;
}

/** Deletes every image of this run (sources, Glint's copies, the baseline's copies) on every cloud. */
export async function removeImages(): Promise<number> {
  let removed = 0;
  for (const cloud of clouds) {
    const adapter = adapterOf(cloud);
    const ours: string[] = [];
    for await (const image of adapter.listImages()) {
      if (image.name.startsWith(prefix)) ours.push(image.id);
    }
    let taken = 0;
    const runner = async () => {
      while (taken < ours.length) {
        const id = ours[taken++]!;
        await adapter.deleteImage(id).then(
          () => removed++,
          (error: unknown) => console.error(`could not delete ${cloud.name} image ${id}:`, error),
        );
      }
    };
    await Promise.all(Array.from({ length: 8 }, runner));
  }
  return removed;
}
