import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { InvalidRequestError, QuotaError } from '../errors';
import type { ReceivedData } from './image-mapping';

const run = promisify(execFile);
const MiB = 1024 * 1024;

/** Fails unless `dir`'s file system has `bytes` free, saying how much it lacks. */
async function checkFreeSpace(dir: string, bytes: number, what: string): Promise<void> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < bytes)
    throw new QuotaError(
      `${what} needs ${bytes} bytes in ${dir}, which has ${free} free; free space there or point GLINT_CONVERSION_DIR at a larger file system`,
    );
}

/**
 * The most a stream-optimized VMDK of a qcow2 can take: the qcow2's data (deflate barely grows
 * incompressible data), a marker and padding of up to 512 bytes per 64 KiB grain, and a grain
 * table entry of 4 bytes per grain of the virtual disk.
 */
const vmdkBound = (qcow2Bytes: number, virtualSize: number) =>
  Math.ceil(qcow2Bytes * 1.01 + virtualSize / 16384) + MiB;

/** A new file for this process alone: O_EXCL (never an existing file or link), mode 0600. */
async function createPrivateFile(path: string): Promise<void> {
  await (await open(path, 'wx', 0o600)).close();
}

/**
 * Converts a qcow2 stream to a stream-optimized VMDK with `qemu-img convert`. VM Import does not
 * take qcow2, and raw would send the whole virtual disk (a 600 MB qcow2 of a 20 GiB disk, 20 GiB),
 * where a stream-optimized VMDK holds only the allocated grains, compressed. AWS lists
 * "Stream-optimized ESX VMDK" among VM Import's formats
 * (https://docs.aws.amazon.com/vm-import/latest/userguide/prerequisites.html), and qemu-img's
 * output of it is what others import (osbuild/osbuild#464, flatcar-docs#241).
 *
 * qemu-img needs files, so this is the one case Glint stages an image on disk: in a directory of
 * its own (mkdtemp, mode 0700) under the operator's `conversionDir`, each file created with O_EXCL
 * and mode 0600 (qemu-img writes into the file made for it, keeping its mode). Free space is checked
 * before each file is written; `use` gets the VMDK, and the directory is removed afterwards
 * whatever happens. Returns what `use` returns and the size and md5 of the bytes read.
 */
export async function withStreamOptimizedVmdk<T>(
  data: Readable,
  conversionDir: string,
  size: number | undefined,
  use: (vmdkPath: string, vmdkSize: number) => Promise<T>,
): Promise<{ result: T; received: ReceivedData }> {
  if (size !== undefined) await checkFreeSpace(conversionDir, size, 'the qcow2 image');
  const dir = await mkdtemp(join(conversionDir, 'glint-qcow2-'));
  try {
    const qcow2 = join(dir, 'image.qcow2');
    const md5 = createHash('md5');
    let bytes = 0;
    await pipeline(
      data,
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          md5.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      }),
      createWriteStream(qcow2, { flags: 'wx', mode: 0o600 }),
    );
    const info = (await run('qemu-img', ['info', '--output=json', '-f', 'qcow2', qcow2]).then(
      ({ stdout }) => JSON.parse(stdout),
      () => ({}),
    )) as { format?: string; 'virtual-size'?: number; 'backing-filename'?: string };
    // A backing file would make qemu-img read a file of this machine into the image.
    if (info.format !== 'qcow2' || info['backing-filename'] || !info['virtual-size'])
      throw new InvalidRequestError(
        'the image is not a self-contained qcow2 (no backing file) and cannot be converted; check its disk format',
      );
    await checkFreeSpace(dir, vmdkBound(bytes, info['virtual-size']), 'the VMDK conversion');
    const vmdk = join(dir, 'image.vmdk');
    await createPrivateFile(vmdk);
    await run('qemu-img', [
      'convert',
      '-f',
      'qcow2',
      '-O',
      'vmdk',
      '-o',
      'subformat=streamOptimized',
      qcow2,
      vmdk,
    ]);
    await rm(qcow2);
    const result = await use(vmdk, (await stat(vmdk)).size);
    return { result, received: { bytes, md5: md5.digest('hex') } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A staged file's bytes, as the chunks an upload reads. */
export function fileChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: MiB });
}
