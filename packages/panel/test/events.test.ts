import { parseEvents } from '../src/events';

test('complete events are parsed, comments skipped, and a partial event kept for the next chunk', () => {
  const job = { type: 'job', queueJobId: 'copy-1', state: 'running', imageId: 'i', siteIds: ['s'] };
  const { events, rest } = parseEvents(
    `: connected\n\nevent: job\ndata: ${JSON.stringify(job)}\n\n: keep-alive\n\nevent: cells\ndata: {"ty`,
  );
  expect(events).toEqual([job]);
  expect(rest).toBe('event: cells\ndata: {"ty');
  expect(parseEvents(`${rest}pe":"cells","siteIds":["s"]}\r\n\r\n`)).toEqual({
    events: [{ type: 'cells', siteIds: ['s'] }],
    rest: '',
  });
});
