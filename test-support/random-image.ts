import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';

const CHUNK = 1024 * 1024;
const SECTOR = 512;
/** Where fdisk and parted start the first partition: 1 MiB in. */
const FIRST_PARTITION_LBA = 2048;
/** MBR partition type bytes: a Linux file system, or NTFS as a Windows disk has. */
const partitionTypes = { linux: 0x83, ntfs: 0x07 } as const;
export type PartitionType = keyof typeof partitionTypes;

/**
 * `size` bytes of incompressible data from an AES-256-CTR keystream: as random as Glance could
 * care, generated at memory speed, and reproducible from `seed` without keeping it anywhere.
 */
export function randomImageStream(size: number, seed: string): Readable {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(n === CHUNK ? zeros : zeros.subarray(0, n)));
    },
  });
}

/**
 * Makes `disk` (at least its first sector, of a disk of `size` bytes) start with a master boot
 * record: one active partition of `type` from sector 2048 to the end, and the 0x55AA signature.
 * VM Import refuses a disk with no partition table ("No valid partitions"); the boot code area is
 * left as it is.
 */
export function writeBootSector(disk: Buffer, size: number, type: PartitionType = 'linux'): Buffer {
  if (disk.length < SECTOR) throw new Error(`a disk needs at least ${SECTOR} bytes for its MBR`);
  const entry = disk.subarray(446, 510).fill(0);
  entry[0] = 0x80;
  // CHS fields say "use the LBA fields", as for any disk beyond 8 GiB.
  entry.set([0xfe, 0xff, 0xff], 1);
  entry[4] = partitionTypes[type];
  entry.set([0xfe, 0xff, 0xff], 5);
  entry.writeUInt32LE(FIRST_PARTITION_LBA, 8);
  entry.writeUInt32LE(Math.max(1, Math.floor(size / SECTOR) - FIRST_PARTITION_LBA), 12);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return disk;
}

/** `randomImageStream(size, seed)` as a disk VM Import takes: its first sector an MBR. */
export function randomDiskStream(size: number, seed: string, type?: PartitionType): Readable {
  let first = true;
  return randomImageStream(size, seed).pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (first) writeBootSector(chunk, size, type);
        first = false;
        done(null, chunk);
      },
    }),
  );
}

/** `size` random bytes with a boot sector, for tests that hold the disk in memory. */
export function randomDisk(size: number, type?: PartitionType): Buffer {
  return writeBootSector(randomBytes(size), size, type);
}

/** sha512 and md5 of a stream, read to its end. */
export async function digestStream(
  stream: AsyncIterable<Buffer>,
): Promise<{ sha512: string; md5: string; size: number }> {
  const sha512 = createHash('sha512');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of stream) {
    sha512.update(chunk);
    md5.update(chunk);
    size += chunk.length;
  }
  return { sha512: sha512.digest('hex'), md5: md5.digest('hex'), size };
}
