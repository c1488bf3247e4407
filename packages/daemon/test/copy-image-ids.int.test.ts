/**
 * The id a copy gets when its cloud turned down making it itself, against a real Glance (sandbox
 * cloud2): Glance never gives a deleted image's id again, so the copy streamed instead takes the
 * next free id of the job's sequence.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '@glint/cloud-adapters';
import { CloudImages } from '../../../test-support/cloud-images';
import { sandboxCloud } from '../../../test-support/sandbox';
import { copyImageId, nextCopyImageId } from '../src/copy-image-ids';

const images = new CloudImages();
const cloud = sandboxCloud(2);
const adapter = images.adapter(cloud);
const made: string[] = [];

afterAll(async () => {
  for (const id of made) await adapter.deleteImage(id).catch(() => {});
  await images.close();
});

const record = (id: string) =>
  adapter.createImage({
    id,
    name: `glint-test-ids-${id}`,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
  });

test('after a spent id the next free one of the job’s sequence, which Glance accepts', async () => {
  const jobImageId = randomUUID();
  // The job's own id was given to a copy the cloud then turned down, and deleted; the second holds
  // a half-made leftover, cleared as clearEarlierCopies clears one.
  await record(jobImageId);
  await adapter.deleteImage(jobImageId);
  made.push((await record(copyImageId(jobImageId, 1))).id);
  await expect(record(jobImageId)).rejects.toThrow();

  const next = await nextCopyImageId(adapter, jobImageId, jobImageId);

  expect(next).toBe(copyImageId(jobImageId, 2));
  await expect(adapter.getImage(copyImageId(jobImageId, 1))).rejects.toBeInstanceOf(NotFoundError);
  made.push((await record(next)).id);
});
