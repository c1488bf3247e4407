import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withRawFromQcow2 } from '../src/ec2/disk-conversion';

const run = promisify(execFile);
let work: string;
let raw: Buffer;
let qcow2: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'glint-qcow2-test-'));
  raw = Buffer.concat([randomBytes(1024 * 1024), Buffer.alloc(1024 * 1024), randomBytes(4096)]);
  await writeFile(join(work, 'source.raw'), raw);
  qcow2 = join(work, 'source.qcow2');
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(work, 'source.raw'), qcow2]);
});
afterAll(() => rm(work, { recursive: true, force: true }));

test('a qcow2 stream is converted to the raw disk it holds (real qemu-img), and the staged files are removed', async () => {
  const staging = join(work, 'staging');
  await run('mkdir', ['-p', staging]);
  const qcow2Bytes = await readFile(qcow2);
  const { result, received } = await withRawFromQcow2(
    createReadStream(qcow2),
    staging,
    qcow2Bytes.length,
    async (rawPath, rawSize) => ({ bytes: await readFile(rawPath), rawSize }),
  );
  expect(result.rawSize).toBe(raw.length);
  expect(result.bytes.equals(raw)).toBe(true);
  expect(received).toEqual({
    bytes: qcow2Bytes.length,
    md5: createHash('md5').update(qcow2Bytes).digest('hex'),
  });
  expect(await readdir(staging)).toEqual([]);
});

test('the staged files are removed when the upload fails, and a non-qcow2 is refused', async () => {
  const staging = join(work, 'staging-fail');
  await run('mkdir', ['-p', staging]);
  await expect(
    withRawFromQcow2(createReadStream(qcow2), staging, undefined, () =>
      Promise.reject(new Error('upload broke')),
    ),
  ).rejects.toThrow('upload broke');
  expect(await readdir(staging)).toEqual([]);
  await expect(
    withRawFromQcow2(createReadStream(join(work, 'source.raw')), staging, undefined, () =>
      Promise.resolve(),
    ),
  ).rejects.toThrow(/not a self-contained qcow2/);
  expect(await readdir(staging)).toEqual([]);
});

test('a staging directory without room for the image is refused before anything is written', async () => {
  await expect(
    withRawFromQcow2(createReadStream(qcow2), work, Number.MAX_SAFE_INTEGER, () =>
      Promise.resolve(),
    ),
  ).rejects.toThrow(/free space there or set the account's stagingDir/);
});
