import type { Image, Tag } from '@aws-sdk/client-ec2';
import { GLINT_MARKERS, type ImageStatus } from '@glint/core';
import type { ImageInfo, ImageSpec } from '../adapter';

/** Tags Glint puts on an AMI and its snapshots beside its markers. */
export const EC2_TAGS = {
  name: 'Name',
  copyId: 'glint_copy_id',
  size: 'glint_size',
  md5: 'glint_md5',
  diskFormat: 'glint_disk_format',
  containerFormat: 'glint_container_format',
  /** On the snapshots of an AMI being deleted: that AMI, so a retry finds what it left. */
  deregisteredFrom: 'glint_deregistered_from',
} as const;

/** EC2 allows 50 tags a resource, keys up to 128 characters and values up to 256. */
const MAX_TAGS = 50;
const MAX_KEY = 128;
const MAX_VALUE = 256;

/** What Glint knows of a copy once its bytes arrived, for the tags. */
export interface ReceivedData {
  bytes: number;
  md5: string;
}

/**
 * The tags of a finished copy: its name, Glint's markers and the copy's own facts, then as many of
 * the spec's other properties as EC2's limits leave room for.
 */
export function tagsFor(spec: ImageSpec, copyId: string, received: ReceivedData): Tag[] {
  const tags: Tag[] = [
    { Key: EC2_TAGS.name, Value: spec.name.slice(0, MAX_VALUE) },
    { Key: EC2_TAGS.copyId, Value: copyId },
    { Key: EC2_TAGS.size, Value: String(received.bytes) },
    { Key: EC2_TAGS.md5, Value: received.md5 },
    { Key: EC2_TAGS.diskFormat, Value: spec.diskFormat },
    { Key: EC2_TAGS.containerFormat, Value: spec.containerFormat },
  ];
  const markers = new Set<string>(Object.values(GLINT_MARKERS));
  const properties = Object.entries(spec.properties ?? {});
  for (const [key, value] of properties)
    if (markers.has(key)) tags.push({ Key: key, Value: value.slice(0, MAX_VALUE) });
  for (const [key, value] of properties) {
    if (tags.length >= MAX_TAGS) break;
    if (markers.has(key) || key.length > MAX_KEY || key.startsWith('aws:')) continue;
    tags.push({ Key: key, Value: value.slice(0, MAX_VALUE) });
  }
  return tags;
}

/** AMI states in Glance's words. */
const statuses: Record<string, ImageStatus> = {
  available: 'active',
  pending: 'importing',
  failed: 'killed',
  error: 'killed',
  invalid: 'killed',
  deregistered: 'deleted',
  transient: 'importing',
  disabled: 'deactivated',
};

const numberOrNull = (text: string | undefined) => {
  const value = Number(text);
  return text !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : null;
};

/**
 * An AMI as an ImageInfo. Its name is the Name tag (an AMI's own name must be unique in the region,
 * so Glint's copies are named by tag); size and md5 are those of the bytes Glint sent, as tagged.
 * An AMI without Glint's markers keeps its tags as properties and shows as unmanaged.
 */
export function imageInfoFromAmi(ami: Image): ImageInfo {
  const tags = Object.fromEntries(
    (ami.Tags ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? '']] : [])),
  );
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags))
    if (key !== EC2_TAGS.name && !key.startsWith('aws:')) properties[key] = value;
  // Glance names architectures as libosinfo does: aarch64, not EC2's arm64.
  if (ami.Architecture)
    properties.architecture ??= ami.Architecture === 'arm64' ? 'aarch64' : ami.Architecture;
  const root = ami.BlockDeviceMappings?.find((m) => m.DeviceName === ami.RootDeviceName);
  return {
    id: ami.ImageId!,
    name: tags[EC2_TAGS.name] || ami.Name || ami.ImageId!,
    status: statuses[ami.State ?? ''] ?? 'queued',
    size: numberOrNull(tags[EC2_TAGS.size]),
    diskFormat: tags[EC2_TAGS.diskFormat] ?? null,
    containerFormat: tags[EC2_TAGS.containerFormat] ?? null,
    visibility: ami.Public ? 'public' : 'private',
    protected: false,
    minDisk: root?.Ebs?.VolumeSize ?? 0,
    minRam: 0,
    tags: [],
    checksum: tags[EC2_TAGS.md5] ?? null,
    hashAlgo: null,
    hashValue: null,
    owner: ami.OwnerId ?? null,
    properties,
    createdAt: ami.CreationDate ?? null,
    updatedAt: null,
  };
}

/** The snapshots an AMI's disks are made of. */
export function snapshotsOf(ami: Image): string[] {
  return (ami.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
  );
}
