import { formatContentHash, parseContentHash } from '@glint/core';

test('content hashes round-trip through the marker form', () => {
  const hash = { algo: 'sha512', value: 'ab'.repeat(64) };
  expect(parseContentHash(formatContentHash(hash))).toEqual(hash);
  expect(parseContentHash('SHA256:ABCDEF')).toEqual({ algo: 'sha256', value: 'abcdef' });
});

test('anything but algo:hex is not a content hash', () => {
  for (const text of [undefined, '', 'sha512', 'sha512:', ':abc', 'sha512:xyz', 'sha512:ab cd']) {
    expect(parseContentHash(text)).toBeUndefined();
  }
});
