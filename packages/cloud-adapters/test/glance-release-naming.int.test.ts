/**
 * A release's stable name on the sandbox's real Glance (Zed), through the OpenStack adapter's
 * release naming, and checked with the OpenStack reference client as well as with Glint.
 */
import { randomUUID } from 'node:crypto';
import {
  GLANCE_RELEASE_MARKERS,
  InvalidRequestError,
  OpenStackAdapter,
  releaseNamingOf,
  releaseNamingFacts,
  type ReleaseSlot,
} from '@glint/cloud-adapters';
import type { ScsImageProperties } from '@glint/core';
import { openstackCli } from '../../../test-support/openstack-cli';
import { randomImageStream } from '../../../test-support/random-image';
import {
  passwordCredential,
  sandboxCloud,
  sandboxOutbound,
  siteConfig,
} from '../../../test-support/sandbox';

jest.setTimeout(180_000);

const cloud = sandboxCloud(2);
const run = randomUUID().slice(0, 8);
const slot: ReleaseSlot = {
  family: `atlas-${run}`,
  channel: 'latest',
  stableName: `ATLAS worker ${run}`,
};
const scs: ScsImageProperties = {
  image_build_date: '2026-11-01',
  image_original_user: 'ubuntu',
  image_source: 'https://images.example.org/atlas/20261101.qcow2',
  replace_frequency: 'weekly',
  provided_until: 'none',
  uuid_validity: 'last-2',
  hotfix_hours: '48',
};

const adapter = new OpenStackAdapter(siteConfig(cloud), passwordCredential(cloud), {
  outbound: sandboxOutbound(),
});
const naming = releaseNamingOf(adapter);
const made: string[] = [];

/** An active image of a few KiB, named as a fresh copy is before it is promoted. */
async function version(tag: string): Promise<{ imageId: string; version: string }> {
  const image = await adapter.createImage({
    id: randomUUID(),
    name: `${slot.stableName} copy ${tag}`,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
  });
  made.push(image.id);
  await adapter.uploadImageData(image.id, randomImageStream(4096, `${run}-${tag}`), { size: 4096 });
  await adapter.awaitActive(image.id, { policy: { retries: 20, initialMs: 100, maxMs: 1000 } });
  return { imageId: image.id, version: tag };
}

interface CliImage {
  id: string;
  name: string;
  visibility: string;
  protected: boolean;
  properties: Record<string, unknown>;
}

const show = async (id: string) => (await openstackCli(cloud, ['image', 'show', id])) as CliImage;
/** What `openstack image list --name` finds: by default the visible images, with `--hidden` the hidden ones. */
const listed = async (name = slot.stableName, hidden = false) =>
  (
    (await openstackCli(cloud, [
      'image',
      'list',
      '--name',
      name,
      ...(hidden ? ['--hidden'] : []),
    ])) as { ID: string }[]
  ).map((row) => row.ID);

/** Samples what a lookup of the stable name lists, as fast as Glance answers, while `work` runs. */
async function sampledDuring(work: () => Promise<unknown>): Promise<number[]> {
  const counts: number[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const ids: string[] = [];
      for await (const image of adapter.listImages({ name: slot.stableName })) ids.push(image.id);
      counts.push(ids.length);
    }
  })();
  try {
    await work();
  } finally {
    done = true;
    await sampler;
  }
  return counts;
}

let v1: { imageId: string; version: string };
let v2: { imageId: string; version: string };

beforeAll(async () => {
  [v1, v2] = await Promise.all([version('20261101'), version('20261108')]);
});

afterAll(async () => {
  for (const id of made) {
    await openstackCli(cloud, ['image', 'set', '--unprotected', id]).catch(() => undefined);
    await adapter.deleteImage(id).catch(() => undefined);
  }
  await adapter.close();
});

test('OpenStack declares its stable name as the image name, two listed for one round trip', () => {
  expect(releaseNamingFacts('openstack')).toEqual({
    stableName: 'image-name',
    duringSwitch: 'one-or-two',
  });
});

test('promote gives the first version the stable name, its visibility and the SCS-0102 properties', async () => {
  const result = await naming.promote({ slot, image: v1, scs, visibility: 'community' });
  expect(result.holder).toMatchObject({ imageId: v1.imageId, version: '20261101' });
  expect(result.demoted).toEqual([]);

  expect(await listed()).toEqual([v1.imageId]);
  const seen = await show(v1.imageId);
  expect(seen.name).toBe(slot.stableName);
  expect(seen.visibility).toBe('community');
  expect(seen.properties).toMatchObject({
    ...scs,
    os_hidden: false,
    [GLANCE_RELEASE_MARKERS.family]: slot.family,
    [GLANCE_RELEASE_MARKERS.version]: '20261101',
  });
  expect(await naming.holders(slot)).toEqual([result.holder]);
});

test('promote of the next version renames and hides the previous one; a lookup never finds none', async () => {
  const counts = await sampledDuring(() =>
    naming.promote({ slot, image: v2, scs: { image_build_date: '2026-11-08' } }),
  );
  expect(counts.length).toBeGreaterThan(0);
  expect(counts.every((count) => count === 1 || count === 2)).toBe(true);
  expect(counts.at(-1)).toBe(1);

  expect(await listed()).toEqual([v2.imageId]);
  const oldName = `${slot.stableName} (20261101)`;
  expect(await listed(oldName)).toEqual([]);
  expect(await listed(oldName, true)).toEqual([v1.imageId]);
  expect((await show(v1.imageId)).properties.os_hidden).toBe(true);
  const holder = await show(v2.imageId);
  expect(holder.properties).toMatchObject({ os_hidden: false, image_build_date: '2026-11-08' });
  const [first] = await naming.holders(slot);
  expect(first?.imageId).toBe(v2.imageId);
});

test('rollback is a promote of the previous version: names and hiding swap back', async () => {
  const result = await naming.promote({ slot, image: v1 });
  expect(result.demoted.map((held) => held.imageId)).toEqual([v2.imageId]);
  expect(await listed()).toEqual([v1.imageId]);
  expect(await listed(`${slot.stableName} (20261108)`, true)).toEqual([v2.imageId]);
  expect((await show(v1.imageId)).properties.os_hidden).toBe(false);
  // Promoting the holder again changes nothing a lookup sees.
  await naming.promote({ slot, image: v1 });
  expect(await listed()).toEqual([v1.imageId]);
});

test('the holder cannot be demoted or retired: that would leave the name on no image', async () => {
  await expect(naming.demote(slot, v1)).rejects.toThrow(InvalidRequestError);
  await expect(naming.retire(slot, v1)).rejects.toThrow(/holds the name/);
  expect(await listed()).toEqual([v1.imageId]);
});

test('a protected version is retiring, stays hidden, and goes once unprotected', async () => {
  await openstackCli(cloud, ['image', 'set', '--protected', v2.imageId]);
  const refused = await naming.retire(slot, v2);
  expect(refused).toMatchObject({ outcome: 'retiring', reason: 'protected' });
  const kept = await show(v2.imageId);
  expect(kept.properties.os_hidden).toBe(true);
  expect(kept.protected).toBe(true);

  await openstackCli(cloud, ['image', 'set', '--unprotected', v2.imageId]);
  expect(await naming.retire(slot, v2)).toEqual({ outcome: 'deleted' });
  await expect(show(v2.imageId)).rejects.toThrow(/No Image found|Could not find/i);
  expect(await naming.retire(slot, v2)).toEqual({ outcome: 'gone' });
});

test('a fresh copy is staged under its versioned name, hidden, until promoted', async () => {
  const v3 = await version('20261115');
  await naming.demote(slot, v3);
  const staged = await show(v3.imageId);
  expect(staged.name).toBe(`${slot.stableName} (20261115)`);
  expect(staged.properties.os_hidden).toBe(true);
  expect(await listed()).toEqual([v1.imageId]);
});
