/**
 * The id a copy gets when its cloud turned down making it itself, against a real Glance (sandbox
 * cloud2): Glance never gives a deleted image's id again, so the copy streamed instead takes the
 * next free id of the job's sequence.
 */
import { randomUUID } from 'node:crypto';
import { GLINT_MARKERS } from '@glint/core';
import { NotFoundError } from '@glint/cloud-adapters';
import { CloudImages } from '../../../test-support/cloud-images';
import { randomImageStream } from '../../../test-support/random-image';
import { sandboxCloud } from '../../../test-support/sandbox';
import { clearEarlierCopies, copyImageId, nextCopyImageId } from '../src/copy-image-ids';

const images = new CloudImages();
const cloud = sandboxCloud(2);
const adapter = images.adapter(cloud);
const made: string[] = [];

afterAll(async () => {
  for (const id of made) await adapter.deleteImage(id).catch(() => {});
  await images.close();
});

const record = (id: string, more: { hidden?: boolean; properties?: Record<string, string> } = {}) =>
  adapter.createImage({
    id,
    name: `glint-test-ids-${id}`,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
    ...more,
  });

/** An active copy, as an earlier start left it once Glance had all its data. */
async function activeCopy(
  id: string,
  more: { hidden?: boolean; properties?: Record<string, string> },
): Promise<void> {
  made.push((await record(id, more)).id);
  await adapter.uploadImageData(id, randomImageStream(1024, id), { size: 1024 });
}

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

test('an earlier start’s copy that is active but still hidden and unmarked was never verified: it is deleted, and this start gets the next id', async () => {
  const jobImageId = randomUUID();
  // The daemon stopped after Glance activated the provisional copy, before Glint compared it.
  await activeCopy(jobImageId, { hidden: true });

  const id = await clearEarlierCopies(adapter, jobImageId, 1);

  expect(id).toBe(copyImageId(jobImageId, 1));
  await expect(adapter.getImage(jobImageId)).rejects.toBeInstanceOf(NotFoundError);
});

test('an earlier start’s copy that is hidden and marked was verified (asked to stay hidden): it is kept for the engine to find', async () => {
  const jobImageId = randomUUID();
  await activeCopy(jobImageId, {
    hidden: true,
    properties: { [GLINT_MARKERS.contentHash]: 'sha512:00' },
  });

  const id = await clearEarlierCopies(adapter, jobImageId, 1);

  expect(id).toBe(copyImageId(jobImageId, 1));
  expect(await adapter.getImage(jobImageId)).toMatchObject({ status: 'active', hidden: true });
});
