import { createServer } from 'node:net';

/**
 * A loopback TCP port nobody listens on now, for a server that must be told its port before it
 * starts (another process, or an origin that has to be known in advance).
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
