import { formatBytes, formatDuration } from '../src/client';

describe('sizes in each client’s style', () => {
  test.each([
    [0, '0 B', '0 B'],
    [1023, '1023 B', '1023 B'],
    [1536, '1.50 KiB', '1.5 KiB'],
    [8 * 1024 * 1024, '8.00 MiB', '8.0 MiB'],
    [40 * 1024 * 1024, '40.0 MiB', '40 MiB'],
    [5 * 1024 ** 4, '5.00 TiB', '5.0 TiB'],
  ])('%d bytes is %s in a terminal, %s on a page', (bytes, terminal, page) => {
    expect(formatBytes(bytes, 'terminal')).toBe(terminal);
    expect(formatBytes(bytes, 'page')).toBe(page);
  });

  test('an unknown size is a dash', () => {
    expect([formatBytes(null, 'terminal'), formatBytes(undefined, 'page')]).toEqual(['-', '-']);
  });
});

describe('durations in each client’s style', () => {
  test.each([
    [5, '5s', '5 s'],
    [65, '1m05s', '1 min 5 s'],
    [3725, '1h02m', '1 h 2 min'],
    [-3, '0s', '0 s'],
  ])('%d seconds is %s in a terminal, %s on a page', (seconds, terminal, page) => {
    expect(formatDuration(seconds, 'terminal')).toBe(terminal);
    expect(formatDuration(seconds, 'page')).toBe(page);
  });
});
