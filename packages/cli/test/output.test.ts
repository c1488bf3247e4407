import { renderFields, renderTable } from '../src/table';
import { renderProgress } from '../src/units';
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

describe('progress', () => {
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
