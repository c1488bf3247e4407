/**
 * qcow2 to stream-optimized VMDK with the real qemu-img (issue 13 item 10), in a private directory
 * under the operator's conversion directory (issue 12 item 1).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { withStreamOptimizedVmdk } from '../src/ec2/disk-conversion';

const run = promisify(execFile);
const MiB = 1024 * 1024;
let work: string;
let raw: string;
let qcow2: string;

/** A disk of `virtualSize` bytes with `data` at its start and zeros after, as raw and qcow2. */
async function disk(name: string, data: Buffer, virtualSize: number) {
  const rawPath = join(work, `${name}.raw`);
  const qcow2Path = join(work, `${name}.qcow2`);
  await writeFile(rawPath, data);
  await run('truncate', ['-s', String(virtualSize), rawPath]);
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', rawPath, qcow2Path]);
  return { rawPath, qcow2Path };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'glint-qcow2-test-'));
  const made = await disk(
    'source',
    Buffer.concat([randomBytes(MiB), Buffer.alloc(MiB), randomBytes(4096)]),
    2 * MiB + 4096,
  );
  raw = made.rawPath;
  qcow2 = made.qcow2Path;
});
afterAll(() => rm(work, { recursive: true, force: true }));

const newDir = async (name: string) => {
  const dir = join(work, name);
  await mkdir(dir);
  return dir;
};

test('a qcow2 stream becomes a stream-optimized VMDK of the same disk (real qemu-img); the staged files are removed', async () => {
  const conversionDir = await newDir('staging');
  const qcow2Bytes = await readFile(qcow2);
  const { result, received } = await withStreamOptimizedVmdk(
    createReadStream(qcow2),
    conversionDir,
    qcow2Bytes.length,
    async (vmdkPath, vmdkSize) => {
      const { stdout } = await run('qemu-img', ['info', '--output=json', vmdkPath]);
      await run('qemu-img', ['compare', '-f', 'vmdk', '-F', 'raw', vmdkPath, raw]);
      return { info: JSON.parse(stdout), vmdkSize };
    },
  );
  expect(result.info).toMatchObject({
    format: 'vmdk',
    'virtual-size': 2 * MiB + 4096,
    'format-specific': { data: { 'create-type': 'streamOptimized' } },
  });
  expect(received).toEqual({
    bytes: qcow2Bytes.length,
    md5: createHash('md5').update(qcow2Bytes).digest('hex'),
  });
  expect(await readdir(conversionDir)).toEqual([]);
});

test('item 10: a qcow2 of a 1 GiB disk holding 4 MiB becomes a VMDK of about 4 MiB, where raw was the whole GiB', async () => {
  const virtualSize = 1024 * MiB;
  const sparse = await disk('sparse', randomBytes(4 * MiB), virtualSize);
  const { result } = await withStreamOptimizedVmdk(
    createReadStream(sparse.qcow2Path),
    await newDir('staging-sparse'),
    undefined,
    async (_vmdkPath, vmdkSize) => vmdkSize,
  );
  // Before: the raw conversion uploaded virtualSize bytes.
  expect(result).toBeGreaterThan(4 * MiB);
  expect(result).toBeLessThan(5 * MiB);
  expect(result / virtualSize).toBeLessThan(0.005);
});

test('issue 12 item 1: the files are made in a directory of Glint’s own (0700) under the conversion directory, each 0600', async () => {
  const conversionDir = await newDir('staging-modes');
  const seen = await withStreamOptimizedVmdk(
    createReadStream(qcow2),
    conversionDir,
    undefined,
    async (vmdkPath) => {
      const own = dirname(vmdkPath);
      return {
        parent: dirname(own),
        dir: (await stat(own)).mode & 0o777,
        files: await Promise.all(
          (await readdir(own)).map(async (file) => [
            file,
            (await stat(join(own, file))).mode & 0o777,
          ]),
        ),
      };
    },
  );
  expect(seen.result).toEqual({
    parent: conversionDir,
    dir: 0o700,
    files: [['image.vmdk', 0o600]],
  });
});

test('the staged files are removed when the upload fails, and a non-qcow2 is refused', async () => {
  const conversionDir = await newDir('staging-fail');
  await expect(
    withStreamOptimizedVmdk(createReadStream(qcow2), conversionDir, undefined, () =>
      Promise.reject(new Error('upload broke')),
    ),
  ).rejects.toThrow('upload broke');
  expect(await readdir(conversionDir)).toEqual([]);
  await expect(
    withStreamOptimizedVmdk(createReadStream(raw), conversionDir, undefined, () =>
      Promise.resolve(),
    ),
  ).rejects.toThrow(/not a self-contained qcow2/);
  expect(await readdir(conversionDir)).toEqual([]);
});

test('a conversion directory without room for the image is refused before anything is written', async () => {
  const conversionDir = await newDir('staging-full');
  await expect(
    withStreamOptimizedVmdk(createReadStream(qcow2), conversionDir, Number.MAX_SAFE_INTEGER, () =>
      Promise.resolve(),
    ),
  ).rejects.toThrow(/free space there or point GLINT_CONVERSION_DIR at a larger file system/);
  expect(await readdir(conversionDir)).toEqual([]);
});
