import { renderFields, renderTable } from '../src/table';
import { formatBytes, formatDuration, renderProgress } from '../src/units';
import { readEvents } from '../src/sse';

describe('tables', () => {
  test('columns are padded to their widest cell; empty cells are a dash; no trailing blanks', () => {
    expect(
      renderTable(
        ['NAME', 'SIZE', 'ID'],
        [
          ['cirros', '12.3 MiB', 'a'],
          ['ubuntu-24.04', null, 'bb'],
        ],
      ),
    ).toBe(
      [
        'NAME          SIZE      ID',
        'cirros        12.3 MiB  a',
        'ubuntu-24.04  -         bb',
      ].join('\n'),
    );
  });

  test('fields are aligned after their labels', () => {
    expect(
      renderFields([
        ['name', 'one'],
        ['region', undefined],
      ]),
    ).toBe('name:   one\nregion: -');
  });
});

describe('sizes, durations and progress', () => {
  test.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.50 KiB'],
    [8 * 1024 * 1024, '8.00 MiB'],
    [5 * 1024 ** 4, '5.00 TiB'],
  ])('%d bytes is %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  test('durations', () => {
    expect([formatDuration(5), formatDuration(65), formatDuration(3725)]).toEqual([
      '5s',
      '1m05s',
      '1h02m',
    ]);
  });

  test('a bar with percent, sizes, rate and time left; a stream of unknown length shows bytes', () => {
    expect(renderProgress({ bytes: 256, total: 1024, bytesPerSecond: 64 }, 8)).toBe(
      '[##------]   25%  256 B / 1.00 KiB  64 B/s  ETA 12s',
    );
    expect(renderProgress({ bytes: 2048, total: null })).toBe('2.00 KiB');
  });
});

describe('the event stream', () => {
  test('events split across chunks, comments skipped, multi-line data joined', async () => {
    const text =
      ': connected\n\nevent: job\ndata: {"a":\ndata: 1}\n\n: keep-alive\n\nevent: cells\r\ndata: {}\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const events = [];
    for await (const event of readEvents(chunks())) events.push(event);
    expect(events).toEqual([
      { event: 'job', data: '{"a":\n1}' },
      { event: 'cells', data: '{}' },
    ]);
  });
});
