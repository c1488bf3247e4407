import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { InvalidRequestError, QuotaError } from '../errors';
import type { ReceivedData } from './image-mapping';

const run = promisify(execFile);

/** Fails unless `dir`'s file system has `bytes` free, saying how much it lacks. */
async function checkFreeSpace(dir: string, bytes: number, what: string): Promise<void> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < bytes)
    throw new QuotaError(
      `${what} needs ${bytes} bytes in ${dir}, which has ${free} free; free space there or set the account's stagingDir`,
    );
}

/**
 * Converts a qcow2 stream to raw with `qemu-img convert`: VM Import does not take qcow2, and
 * qemu-img needs files, so this is the one case Glint stages an image on disk. Free space is
 * checked before each file is written; `use` gets the raw file, and both files are removed
 * afterwards whatever happens. Returns what `use` returns and the size and md5 of the bytes read.
 */
export async function withRawFromQcow2<T>(
  data: Readable,
  stagingDir: string | undefined,
  size: number | undefined,
  use: (rawPath: string, rawSize: number) => Promise<T>,
): Promise<{ result: T; received: ReceivedData }> {
  const base = stagingDir ?? tmpdir();
  if (size !== undefined) await checkFreeSpace(base, size, 'the qcow2 image');
  const dir = await mkdtemp(join(base, 'glint-qcow2-'));
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
      createWriteStream(qcow2),
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
    await checkFreeSpace(dir, info['virtual-size'], 'the raw conversion');
    const raw = join(dir, 'image.raw');
    await run('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, raw]);
    await rm(qcow2);
    const result = await use(raw, info['virtual-size']);
    return { result, received: { bytes, md5: md5.digest('hex') } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A staged file's bytes, as the chunks an upload reads. */
export function fileChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: 1024 * 1024 });
}
