import { createServer, connect, type Server, type Socket } from 'node:net';
import { Transform, pipeline } from 'node:stream';
import { RateLimiter } from '../../packages/cloud-adapters/src/transfer/rate-limit';

/** A Transform that lets bytes through no faster than `bytesPerSecond`. */
function throttle(bytesPerSecond: number): Transform {
  const limiter = new RateLimiter(bytesPerSecond);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      limiter.take(chunk.length).then(() => done(null, chunk), done);
    },
  });
}

/**
 * A TCP proxy in front of one service that holds each direction of each connection to the same
 * rate, as a WAN link would. On loopback the download is far faster than the upload, which hides
 * what staging costs; equal links show it.
 */
export async function startThrottleProxy(
  target: { host: string; port: number },
  bytesPerSecond: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    pipeline(client, throttle(bytesPerSecond), upstream, end);
    pipeline(upstream, throttle(bytesPerSecond), client, end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the throttling proxy has no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
