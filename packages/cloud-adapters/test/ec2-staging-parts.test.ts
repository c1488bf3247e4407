import { createHash } from 'node:crypto';
import { compositeChecksum, MAX_PARTS, MIN_PART_SIZE, partSizeFor } from '../src/ec2';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

test.each([
  ['a small image', 1000, MIN_PART_SIZE],
  ['exactly 10,000 minimum parts', MAX_PARTS * MIN_PART_SIZE, MIN_PART_SIZE],
  ['one byte more', MAX_PARTS * MIN_PART_SIZE + 1, 6 * MiB],
  ['1 TiB', 1024 * GiB, 105 * MiB],
])('the part size for %s stays within S3’s limits', (_what, size, expected) => {
  const part = partSizeFor(size);
  expect(part).toBe(expected);
  expect(part).toBeGreaterThanOrEqual(MIN_PART_SIZE);
  expect(Math.ceil(size / part)).toBeLessThanOrEqual(MAX_PARTS);
  expect(part % MiB).toBe(0);
});

test('the composite checksum is the base64 SHA-256 of the parts’ SHA-256 digests and the part count', () => {
  const parts = [Buffer.from('first part'), Buffer.from('second')];
  const digests = parts.map((part) => createHash('sha256').update(part).digest());
  const expected = createHash('sha256').update(Buffer.concat(digests)).digest('base64');
  expect(compositeChecksum(digests)).toBe(`${expected}-2`);
});
