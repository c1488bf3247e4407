import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = 1024 * 1024;

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
