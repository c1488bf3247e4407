import { GLINT_MARKERS } from '@glint/core';
import type { ImageInfo } from '@glint/cloud-adapters';
import { copySpec, declaredContentHash } from '../src/transfer/metadata';

const source: ImageInfo & { diskFormat: string; containerFormat: string } = {
  id: 'src-id',
  name: 'atlas-worker',
  status: 'active',
  size: 1024,
  diskFormat: 'qcow2',
  containerFormat: 'bare',
  visibility: 'public',
  protected: true,
  minDisk: 20,
  minRam: 2048,
  tags: ['atlas'],
  checksum: 'c'.repeat(32),
  hashAlgo: 'sha512',
  hashValue: 'A'.repeat(128),
  owner: 'p1',
  properties: {
    architecture: 'x86_64',
    hw_firmware_type: 'uefi',
    os_glance_importing_to_stores: '',
    os_glance_failed_import: '',
    os_hidden: 'false',
    stores: 'fs',
    [GLINT_MARKERS.sourceSite]: 'an-older-hop',
  },
  createdAt: null,
  updatedAt: null,
};

test('a copy keeps formats, minimums, tags and custom properties, and drops the source cloud’s bookkeeping', () => {
  const spec = copySpec(
    source,
    {
      sourceSite: 'cern',
      sourceImageId: 'src-id',
      contentHash: { algo: 'sha512', value: 'a'.repeat(128) },
    },
    'private',
  );
  expect(spec).toEqual({
    name: 'atlas-worker',
    diskFormat: 'qcow2',
    containerFormat: 'bare',
    visibility: 'private',
    minDisk: 20,
    minRam: 2048,
    tags: ['atlas'],
    properties: {
      architecture: 'x86_64',
      hw_firmware_type: 'uefi',
      [GLINT_MARKERS.sourceSite]: 'cern',
      [GLINT_MARKERS.sourceImage]: 'src-id',
      [GLINT_MARKERS.contentHash]: `sha512:${'a'.repeat(128)}`,
    },
  });
});

test('visibility follows the source only when asked, and a chosen id is passed on', () => {
  const spec = copySpec(
    source,
    { sourceSite: 's', sourceImageId: 'i' },
    'same-as-source',
    'fixed-id',
  );
  expect(spec.visibility).toBe('public');
  expect(spec.id).toBe('fixed-id');
  expect(spec.properties).not.toHaveProperty(GLINT_MARKERS.contentHash);
});

test('an image is known by its multihash, else by Glint’s marker', () => {
  expect(declaredContentHash(source)).toEqual({ algo: 'sha512', value: 'a'.repeat(128) });
  const old = {
    ...source,
    hashAlgo: null,
    hashValue: null,
    properties: { [GLINT_MARKERS.contentHash]: 'sha256:beef' },
  };
  expect(declaredContentHash(old)).toEqual({ algo: 'sha256', value: 'beef' });
  expect(declaredContentHash({ ...old, properties: {} })).toBeUndefined();
});
