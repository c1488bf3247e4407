import { parseByteRate } from '../src/config';

test.each([
  ['2500000', 2_500_000],
  ['1B', 1],
  ['64kB', 64_000],
  ['50MB', 50_000_000],
  ['2GB', 2_000_000_000],
  ['512KiB', 512 * 1024],
  ['50MiB', 50 * 1024 ** 2],
  ['1.5GiB', 1.5 * 1024 ** 3],
  ['800kbit', 100_000],
  ['100Mbit', 12_500_000],
  ['1.5Gbit', 187_500_000],
  ['0.1kB', 100],
])('%s is %d bytes per second', (text, bytes) => {
  expect(parseByteRate(text)).toBe(bytes);
});

test.each([
  // Megabits to some, megabytes to others: refused rather than guessed.
  'Mb',
  '100Mb',
  '100mb',
  '100 MiB',
  '100MiB/s',
  '1.5',
  '-5',
  '1e6',
  'fast',
  '',
])('"%s" is refused, saying what a byte rate looks like', (text) => {
  expect(() => parseByteRate(text)).toThrow(
    /is not bytes per second: a whole number, or a number with one of the units B, kB, MB, GB, KiB, MiB, GiB, kbit, Mbit, Gbit \(e\.g\. 50MiB, 800Mbit\)$/,
  );
});

test.each(['0', '0MiB', '0.4B', '0.001kbit'])(
  '%s, under a byte per second, is refused, pointing to unset for no cap',
  (text) => {
    expect(() => parseByteRate(text)).toThrow(
      `"${text}" is less than 1 byte per second; leave the setting unset for no limit`,
    );
  },
);
