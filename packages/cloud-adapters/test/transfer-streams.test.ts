import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvalidRequestError } from '@glint/cloud-adapters';
import { StreamDigest } from '../src/transfer/digest';
import { fanOut, FanOutSink, SINK_BUFFER_BYTES } from '../src/transfer/fan-out';
import { RateLimiter } from '../src/transfer/rate-limit';

test('StreamDigest computes every algorithm in one pass', () => {
  const digest = new StreamDigest(['sha512', 'md5', 'SHA512']);
  digest.update(Buffer.from('hello '));
  digest.update(Buffer.from('world'));
  expect(digest.bytes).toBe(11);
  expect(digest.digest()).toEqual({
    sha512: createHash('sha512').update('hello world').digest('hex'),
    md5: createHash('md5').update('hello world').digest('hex'),
  });
  expect(digest.digest()).toBe(digest.digest());
});

test('StreamDigest refuses an algorithm it cannot compute, naming it', () => {
  expect(() => new StreamDigest(['whirlpool-9000'])).toThrow(InvalidRequestError);
  expect(() => new StreamDigest(['whirlpool-9000'])).toThrow(/whirlpool-9000/);
});

test('RateLimiter holds a stream to its rate after the first second’s burst', async () => {
  const limiter = new RateLimiter(1_000_000);
  const started = performance.now();
  for (let i = 0; i < 25; i++) await limiter.take(100_000);
  const seconds = (performance.now() - started) / 1000;
  // 2.5 MB at 1 MB/s with a 1 MB burst allowance: about 1.5 s.
  expect(seconds).toBeGreaterThan(1.3);
  expect(seconds).toBeLessThan(3);
});

test('fan-out is paced by its slowest reader and keeps going when one reader drops out', async () => {
  // Half the sink buffer each, so the reader that never reads takes one before it is full.
  const half = SINK_BUFFER_BYTES / 2;
  const chunks = Array.from({ length: 256 }, (_, i) => Buffer.alloc(half, i));
  const total = chunks.length * half;
  const fast = new FanOutSink('fast');
  const slow = new FanOutSink('slow');
  const failing = new FanOutSink('failing');
  const received = { fast: 0, slow: 0 };
  fast.stream.on('data', (c: Buffer) => (received.fast += c.length));
  // The slow reader takes a chunk every 2 ms: the source may not run ahead of it by more than the sink buffer.
  const slowReader = (async () => {
    for await (const c of slow.stream as AsyncIterable<Buffer>) {
      received.slow += c.length;
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  let maxLead = 0;
  let read = 0;
  await fanOut(Readable.from(chunks), [fast, slow, failing], (chunk) => {
    read += chunk.length;
    maxLead = Math.max(maxLead, read - received.slow);
    if (read === 2 * half) failing.detach(new Error('destination went away'));
  });
  fast.stream.end();
  slow.stream.end();
  await slowReader;

  expect(received).toEqual({ fast: total, slow: total });
  expect(failing.live).toBe(false);
  expect(failing.bytesWritten).toBe(half);
  expect(maxLead).toBeLessThanOrEqual(4 * SINK_BUFFER_BYTES);
});

test('a destination that stops reading is dropped after the stall timeout instead of hanging the copy', async () => {
  const reading = new FanOutSink('reading');
  const hung = new FanOutSink('hung', 200);
  reading.stream.resume();
  const chunks = Array.from({ length: 16 }, () => Buffer.alloc(1024 * 1024));

  await fanOut(Readable.from(chunks), [reading, hung], () => undefined);

  expect(hung.live).toBe(false);
  expect(String(hung.failure)).toMatch(/destination hung accepted no data for 0.2 s/);
  expect(reading.bytesWritten).toBe(16 * 1024 * 1024);
});
