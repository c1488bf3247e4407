import {
  glanceCreateBody,
  imageInfoFromGlance,
  InvalidRequestError,
  propertyPatch,
  type GlanceImage,
} from '@glint/cloud-adapters';

/** An image as a Zed Glance with multiple stores returns it. */
const glanceImage: GlanceImage = {
  id: '7c5a9f5e-1d2b-4c3a-9e8f-0a1b2c3d4e5f',
  name: 'debian-12',
  status: 'active',
  visibility: 'private',
  protected: false,
  os_hidden: false,
  checksum: 'd41d8cd98f00b204e9800998ecf8427e',
  os_hash_algo: 'sha512',
  os_hash_value: 'cf83e1357eefb8bd',
  owner: 'a1b2c3',
  size: 1048576,
  virtual_size: 2147483648,
  container_format: 'bare',
  disk_format: 'qcow2',
  created_at: '2026-01-02T03:04:05Z',
  updated_at: '2026-01-02T03:05:00Z',
  tags: ['glint', 'debian'],
  min_ram: 512,
  min_disk: 2,
  self: '/v2/images/7c5a9f5e-1d2b-4c3a-9e8f-0a1b2c3d4e5f',
  file: '/v2/images/7c5a9f5e-1d2b-4c3a-9e8f-0a1b2c3d4e5f/file',
  schema: '/v2/schemas/image',
  stores: 'fs',
  direct_url: 'file:///var/lib/glance/images/7c5a',
  locations: [],
  os_glance_importing_to_stores: '',
  os_glance_failed_import: '',
  architecture: 'x86_64',
  hw_disk_bus: 'virtio',
  glint_source_site: 'cloud1',
};

describe('imageInfoFromGlance', () => {
  it('maps the core fields and keeps only real properties, as strings', () => {
    expect(imageInfoFromGlance(glanceImage)).toEqual({
      id: '7c5a9f5e-1d2b-4c3a-9e8f-0a1b2c3d4e5f',
      name: 'debian-12',
      status: 'active',
      size: 1048576,
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'private',
      protected: false,
      hidden: false,
      minDisk: 2,
      minRam: 512,
      tags: ['glint', 'debian'],
      checksum: 'd41d8cd98f00b204e9800998ecf8427e',
      hashAlgo: 'sha512',
      hashValue: 'cf83e1357eefb8bd',
      owner: 'a1b2c3',
      properties: { architecture: 'x86_64', hw_disk_bus: 'virtio', glint_source_site: 'cloud1' },
      createdAt: '2026-01-02T03:04:05Z',
      updatedAt: '2026-01-02T03:05:00Z',
    });
  });

  it('fills the gaps of a queued image and stringifies odd property values', () => {
    const info = imageInfoFromGlance({
      id: 'x',
      name: null,
      status: 'queued',
      visibility: 'shared',
      size: null,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
      disk_format: null,
      container_format: null,
      tags: [],
      min_ram: 0,
      min_disk: 0,
      protected: true,
      os_hidden: true,
      owner: 'p',
      hw_numa_nodes: 2,
      legacy_flag: true,
    });
    expect(info).toMatchObject({
      name: '',
      size: null,
      checksum: null,
      hashAlgo: null,
      hashValue: null,
      diskFormat: null,
      protected: true,
      hidden: true,
      properties: { hw_numa_nodes: '2', legacy_flag: 'true' },
    });
  });
});

describe('glanceCreateBody', () => {
  it('writes the spec in Glance terms, properties beside the core fields', () => {
    expect(
      glanceCreateBody({
        id: '11111111-2222-3333-4444-555555555555',
        name: 'copy',
        diskFormat: 'raw',
        containerFormat: 'bare',
        visibility: 'private',
        minDisk: 1,
        minRam: 256,
        tags: ['glint'],
        properties: { architecture: 'aarch64', glint_content_hash: 'sha512:ab' },
      }),
    ).toEqual({
      id: '11111111-2222-3333-4444-555555555555',
      name: 'copy',
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
      min_disk: 1,
      min_ram: 256,
      tags: ['glint'],
      architecture: 'aarch64',
      glint_content_hash: 'sha512:ab',
    });
  });

  it('creates an image hidden when the spec says so (a provisional copy)', () => {
    const spec = {
      name: 'x',
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private' as const,
    };
    expect(glanceCreateBody({ ...spec, hidden: true })).toMatchObject({ os_hidden: true });
    expect(glanceCreateBody(spec)).not.toHaveProperty('os_hidden');
  });

  it("refuses a property named like one of Glance's own fields", () => {
    const spec = {
      name: 'x',
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private' as const,
    };
    expect(() => glanceCreateBody({ ...spec, properties: { status: 'active' } })).toThrow(
      InvalidRequestError,
    );
    expect(() => glanceCreateBody({ ...spec, properties: { os_glance_import_task: 'x' } })).toThrow(
      /"os_glance_import_task" is one of Glance's own/,
    );
  });
});

describe('propertyPatch', () => {
  it('adds new properties, replaces existing ones and removes only what exists', () => {
    expect(
      propertyPatch(glanceImage, {
        set: { architecture: 'aarch64', 'hw:cpu/policy': 'dedicated', hw_disk_bus: 'virtio' },
        remove: ['glint_source_site', 'never_set'],
      }),
    ).toEqual([
      { op: 'replace', path: '/architecture', value: 'aarch64' },
      { op: 'add', path: '/hw:cpu~1policy', value: 'dedicated' },
      { op: 'remove', path: '/glint_source_site' },
    ]);
  });

  it('replaces the tag list whole, and only when it changes', () => {
    expect(propertyPatch(glanceImage, { tags: ['glint'] })).toEqual([
      { op: 'replace', path: '/tags', value: ['glint'] },
    ]);
    expect(propertyPatch(glanceImage, { tags: ['debian', 'glint'] })).toEqual([]);
  });

  it('shows or hides the image with its properties in one patch, only when that changes', () => {
    const hidden = { ...glanceImage, os_hidden: true };
    expect(
      propertyPatch(hidden, { set: { glint_content_hash: 'sha512:ab' }, hidden: false }),
    ).toEqual([
      { op: 'add', path: '/glint_content_hash', value: 'sha512:ab' },
      { op: 'replace', path: '/os_hidden', value: false },
    ]);
    expect(propertyPatch(hidden, { hidden: true })).toEqual([]);
    expect(propertyPatch({ ...glanceImage, os_hidden: false }, { hidden: false })).toEqual([]);
  });

  it('refuses to set and remove one property at once, or to touch reserved fields', () => {
    expect(() => propertyPatch(glanceImage, { set: { a: '1' }, remove: ['a'] })).toThrow(
      /properties a are both set and removed/,
    );
    expect(() => propertyPatch(glanceImage, { remove: ['size'] })).toThrow(InvalidRequestError);
  });
});
