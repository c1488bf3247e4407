/**
 * What VM Import reads: the disk object in S3, streamed once. Its container is told from its first
 * bytes, whatever the request declared; a stream-optimized VMDK (bare or in an OVA) is unpacked to
 * the raw disk it holds, so the disk's size and sha256 are those of what an instance would see and a
 * test can compare them with the source image's. The first sectors of that disk tell whether it has
 * a partition table VM Import can boot from, and whether it looks like a Windows disk.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { inflateSync } from 'node:zlib';
import { GetObjectCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';

export interface S3Access {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export type DetectedFormat = 'qcow2' | 'raw' | 'vmdk' | 'ova' | 'vhd' | 'vhdx';

export interface DiskContent {
  /** Bytes of the disk itself: the raw disk a VMDK or OVA holds, else the object's bytes. */
  size: number;
  sha256: string;
  /** The container the object is, whatever the request declared. */
  detectedFormat: DetectedFormat;
  /**
   * Whether the disk starts with a partition table (an MBR with a partition, or a GPT); undefined
   * for VHD and VHDX, which the emulator takes as they are without looking inside.
   */
  partitioned?: boolean;
  /** An MBR partition of type NTFS: what VM Import's OS detection would call Windows. */
  windows: boolean;
}

/** A disk VM Import cannot take, with the status message its task ends with. */
export class DiskValidationError extends Error {}

export const unsupportedFormatMessage =
  'ClientError: Disk validation failed [Unsupported specified file format]';
/** VM Import's text for an OVA it cannot read (hashicorp/packer-plugin-amazon#457). */
export const unsupportedOvaMessage = 'ClientError: Disk validation failed [Unsupported OVA format]';

const SECTOR = 512;
const magic = {
  qcow2: Buffer.from('QFI\xfb', 'latin1'),
  vmdk: Buffer.from('KDMV', 'latin1'),
  vhd: Buffer.from('conectix', 'latin1'),
  vhdx: Buffer.from('vhdxfile', 'latin1'),
  /** At offset 257 of a tar header; GNU tar writes "ustar  ", POSIX "ustar\0". */
  tar: Buffer.from('ustar', 'latin1'),
};

/** Reads exact byte counts from a stream of chunks, holding no more than one chunk and a part. */
class ChunkReader {
  private head: Buffer = Buffer.alloc(0);
  private ended = false;
  /** Bytes handed out so far. */
  offset = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** The next `n` bytes, left to be read; fewer only where the stream ends. */
  async peek(n: number): Promise<Buffer> {
    while (this.head.length < n && !this.ended) {
      const next = await this.source.next();
      if (next.done) this.ended = true;
      else this.head = this.head.length ? Buffer.concat([this.head, next.value]) : next.value;
    }
    return this.head.subarray(0, n);
  }

  /** The next `n` bytes; fewer only where the stream ends. */
  async read(n: number): Promise<Buffer> {
    const out = await this.peek(n);
    this.head = this.head.subarray(out.length);
    this.offset += out.length;
    return out;
  }

  async skip(n: number): Promise<void> {
    for (let left = n; left > 0;) {
      const got = await this.read(Math.min(left, 1024 * 1024));
      if (!got.length) return;
      left -= got.length;
    }
  }

  /** Everything not read yet, chunk by chunk. */
  async *rest(): AsyncIterable<Buffer> {
    for (;;) {
      const chunk = await this.read(1024 * 1024);
      if (!chunk.length) return;
      yield chunk;
    }
  }
}

/** The disk as it is rebuilt: hashed and counted as it goes, its first two sectors kept. */
class RawDisk {
  private readonly hash = createHash('sha256');
  private readonly zeros = Buffer.alloc(1024 * 1024);
  private start: Buffer = Buffer.alloc(0);
  size = 0;

  write(bytes: Buffer): void {
    if (this.start.length < 2 * SECTOR)
      this.start = Buffer.concat([this.start, bytes.subarray(0, 2 * SECTOR - this.start.length)]);
    this.hash.update(bytes);
    this.size += bytes.length;
  }

  zeroes(count: number): void {
    for (let left = count; left > 0; left -= this.zeros.length)
      this.write(this.zeros.subarray(0, Math.min(left, this.zeros.length)));
  }

  /**
   * What the first sectors show. An MBR is the 0x55AA signature at byte 510 with at least one
   * partition entry in use; a GPT disk has a protective MBR (type 0xEE) and "EFI PART" at LBA 1.
   */
  content(detectedFormat: DetectedFormat, inspected: boolean): DiskContent {
    const types = [0, 1, 2, 3].map((i) => this.start[446 + 16 * i + 4] ?? 0);
    const signed = this.start[510] === 0x55 && this.start[511] === 0xaa;
    const gpt = types.includes(0xee) && this.start.subarray(512, 520).toString() === 'EFI PART';
    return {
      size: this.size,
      sha256: this.hash.digest('hex'),
      detectedFormat,
      ...(inspected && {
        partitioned: signed && (gpt || types.some((t) => t !== 0 && t !== 0xee)),
      }),
      windows: signed && types.includes(0x07),
    };
  }
}

const GD_AT_END = 0xffffffffffffffffn;
const END_OF_STREAM = 0;

/**
 * Unpacks a stream-optimized VMDK (VMware's "Virtual Disk Format 1.1": compressed grains, each
 * after a marker with its LBA) into `disk`, reading at most `limit` bytes. VMware's own writers put
 * the grain tables after the grains and end with a footer and an end-of-stream marker; `qemu-img
 * -o subformat=streamOptimized` (7.2) writes its tables before the grains and no end marker, so
 * grains are read until the end-of-stream marker or the end of the data, whichever comes first.
 * The emulator needs grains in ascending order (both writers do that) to hash the disk as it goes.
 */
async function unpackVmdk(reader: ChunkReader, disk: RawDisk, limit: number): Promise<void> {
  const start = reader.offset;
  const header = await reader.read(SECTOR);
  const flags = header.length === SECTOR ? header.readUInt32LE(8) : 0;
  // Bit 16: compressed grains; bit 17: markers. Hosted ("monolithicSparse") VMDKs have neither.
  const streamOptimized =
    header.subarray(0, 4).equals(magic.vmdk) &&
    (flags & (1 << 16)) !== 0 &&
    (flags & (1 << 17)) !== 0 &&
    header.readUInt16LE(77) === 1;
  if (!streamOptimized) throw new DiskValidationError(unsupportedFormatMessage);
  const capacity = Number(header.readBigUInt64LE(12)) * SECTOR;
  const overhead = Number(header.readBigUInt64LE(64)) * SECTOR;
  if (header.readBigUInt64LE(56) !== GD_AT_END && overhead < SECTOR)
    throw new DiskValidationError(unsupportedFormatMessage);
  await reader.skip(overhead - SECTOR);
  let written = 0;
  while (reader.offset - start + SECTOR <= limit) {
    const marker = await reader.read(SECTOR);
    if (marker.length < SECTOR) break;
    const value = marker.readBigUInt64LE(0);
    const size = marker.readUInt32LE(8);
    if (size === 0) {
      if (marker.readUInt32LE(12) === END_OF_STREAM) break;
      // A grain table, grain directory or footer: `value` sectors of metadata follow.
      await reader.skip(Number(value) * SECTOR);
      continue;
    }
    const padded = Math.ceil((12 + size) / SECTOR) * SECTOR;
    const compressed = Buffer.concat([marker, await reader.read(padded - SECTOR)]);
    const grain = inflateSync(compressed.subarray(12, 12 + size));
    const at = Number(value) * SECTOR;
    if (at < written)
      throw new DiskValidationError('The EC2 emulator reads VMDK grains in ascending order only');
    disk.zeroes(at - written);
    const kept = grain.subarray(0, Math.max(0, capacity - at));
    disk.write(kept);
    written = at + kept.length;
  }
  disk.zeroes(capacity - written);
}

/** A tar entry's name and size; undefined at the end of the archive (a zero block). */
function tarEntry(header: Buffer): { name: string; size: number } | undefined {
  if (header.length < SECTOR || header.every((byte) => byte === 0)) return undefined;
  if (!header.subarray(257, 262).equals(magic.tar))
    throw new DiskValidationError(unsupportedOvaMessage);
  const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
  const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, ''), 8);
  return { name, size: Number.isFinite(size) ? size : 0 };
}

/**
 * Unpacks the disk of an OVA: a tar whose first entry is the OVF descriptor, the disks after it.
 * The emulator imports one disk, the first VMDK.
 */
async function unpackOva(reader: ChunkReader, disk: RawDisk): Promise<void> {
  for (let index = 0; ; index++) {
    const entry = tarEntry(await reader.read(SECTOR));
    if (!entry || (index === 0 && !entry.name.endsWith('.ovf')))
      throw new DiskValidationError(unsupportedOvaMessage);
    if (entry.name.endsWith('.vmdk')) return unpackVmdk(reader, disk, entry.size);
    await reader.skip(Math.ceil(entry.size / SECTOR) * SECTOR);
  }
}

function detect(head: Buffer): DetectedFormat {
  if (head.subarray(0, 4).equals(magic.qcow2)) return 'qcow2';
  if (head.subarray(0, 4).equals(magic.vmdk)) return 'vmdk';
  if (head.subarray(0, 8).equals(magic.vhd)) return 'vhd';
  if (head.subarray(0, 8).equals(magic.vhdx)) return 'vhdx';
  if (head.subarray(257, 262).equals(magic.tar)) return 'ova';
  return 'raw';
}

export class DiskReader {
  private readonly s3: S3Client;

  constructor(access: S3Access) {
    this.s3 = new S3Client({
      endpoint: access.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (error) {
      if (
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
      ) {
        return false;
      }
      throw error;
    }
  }

  /**
   * The disk in `key`, read as VM Import reads a disk declared `format` (OVA, VMDK, VHD, VHDX,
   * RAW). A qcow2, a VMDK that is not stream-optimized, an OVA without its descriptor and disk, or
   * content of another container than declared, is refused with VM Import's text.
   */
  async read(bucket: string, key: string, format: string): Promise<DiskContent> {
    const reply = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = reply.Body as Readable;
    const reader = new ChunkReader((body as AsyncIterable<Buffer>)[Symbol.asyncIterator]());
    try {
      const detected = detect(await reader.peek(SECTOR));
      const disk = new RawDisk();
      if (detected === 'qcow2') throw new DiskValidationError(unsupportedFormatMessage);
      if (format === 'OVA') {
        if (detected !== 'ova') throw new DiskValidationError(unsupportedOvaMessage);
        await unpackOva(reader, disk);
      } else if (format === 'VMDK') {
        if (detected !== 'vmdk') throw new DiskValidationError(unsupportedFormatMessage);
        await unpackVmdk(reader, disk, Infinity);
      } else {
        for await (const chunk of reader.rest()) disk.write(chunk);
      }
      return disk.content(detected, format !== 'VHD' && format !== 'VHDX');
    } finally {
      body.destroy();
    }
  }

  close(): void {
    this.s3.destroy();
  }
}
