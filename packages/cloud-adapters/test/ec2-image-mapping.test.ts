import type { Image } from '@aws-sdk/client-ec2';
import { GLINT_MARKERS } from '@glint/core';
import { EC2_TAGS, imageInfoFromAmi, tagsFor } from '../src';

const spec = {
  name: 'debian-12',
  diskFormat: 'qcow2',
  containerFormat: 'bare',
  visibility: 'private' as const,
  properties: {
    os_distro: 'debian',
    [GLINT_MARKERS.sourceSite]: 'site-1',
    [GLINT_MARKERS.sourceImage]: 'img-1',
    [GLINT_MARKERS.contentHash]: `sha512:${'a'.repeat(128)}`,
  },
};

test('a copy’s tags carry its name, Glint’s markers, the copy id and the bytes received', () => {
  const tags = Object.fromEntries(
    tagsFor(spec, 'copy-1', { bytes: 42, md5: 'f'.repeat(32) }).map((t) => [t.Key, t.Value]),
  );
  expect(tags).toMatchObject({
    Name: 'debian-12',
    [EC2_TAGS.copyId]: 'copy-1',
    [EC2_TAGS.size]: '42',
    [EC2_TAGS.md5]: 'f'.repeat(32),
    [GLINT_MARKERS.sourceSite]: 'site-1',
    [GLINT_MARKERS.contentHash]: `sha512:${'a'.repeat(128)}`,
    os_distro: 'debian',
  });
});

test('tags stay within EC2’s 50 a resource, markers first', () => {
  const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`p${i}`, 'v']));
  const tags = tagsFor({ ...spec, properties: { ...many, ...spec.properties } }, 'c', {
    bytes: 1,
    md5: 'x',
  });
  expect(tags).toHaveLength(50);
  expect(tags.map((t) => t.Key)).toContain(GLINT_MARKERS.contentHash);
});

test('an AMI Glint tagged reads back as the image it copied; one without tags as unmanaged', () => {
  const tagged: Image = {
    ImageId: 'ami-1',
    Name: 'glint-copy-1',
    State: 'available',
    OwnerId: '123456789012',
    Public: false,
    Architecture: 'x86_64',
    RootDeviceName: '/dev/sda1',
    BlockDeviceMappings: [
      { DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-1', VolumeSize: 8 } },
    ],
    Tags: tagsFor(spec, 'copy-1', { bytes: 42, md5: 'f'.repeat(32) }),
  };
  const info = imageInfoFromAmi(tagged);
  expect(info).toMatchObject({
    id: 'ami-1',
    name: 'debian-12',
    status: 'active',
    size: 42,
    checksum: 'f'.repeat(32),
    diskFormat: 'qcow2',
    minDisk: 8,
    owner: '123456789012',
  });
  expect(info.properties[GLINT_MARKERS.contentHash]).toBe(`sha512:${'a'.repeat(128)}`);
  const bare = imageInfoFromAmi({ ImageId: 'ami-2', Name: 'hand-made', State: 'pending' });
  expect(bare).toMatchObject({ name: 'hand-made', status: 'importing', size: null });
  expect(bare.properties[GLINT_MARKERS.contentHash]).toBeUndefined();
});

test('an untagged arm64 AMI reads back with Glance’s architecture name, aarch64', () => {
  const info = imageInfoFromAmi({ ImageId: 'ami-3', State: 'available', Architecture: 'arm64' });
  expect(info.properties.architecture).toBe('aarch64');
});
