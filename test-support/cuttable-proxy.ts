/**
 * A TCP proxy in front of one service whose link can be cut: every open connection is reset and
 * new ones are refused for a while, as the clients of a database that restarts see it, without
 * restarting a server other test files share.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface CuttableProxy {
  port: number;
  /** Resets every connection and refuses new ones for `ms`. */
  cut(ms: number): void;
  /** Lets connections through again at once, however long the cut was meant to last. */
  mend(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(target: {
  host: string;
  port: number;
}): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let downUntil = 0;
  const server = createServer((client) => {
    if (Date.now() < downUntil) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut(ms) {
      downUntil = Date.now() + ms;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    mend() {
      downUntil = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
