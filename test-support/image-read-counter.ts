/**
 * An HTTP proxy in front of a Glance that counts image data downloads (`GET /v2/images/<id>/file`)
 * and the bytes they returned. A site whose `imageEndpointOverride` is the proxy's URL is read
 * through it, so a test sees how often a whole running Glint read a source image.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ImageDownloads {
  /** Requests for the image's data, whatever their answer. */
  requests: number;
  /** Bytes of image data those requests returned. */
  bytes: number;
}

export interface ImageReadCounter {
  /** The proxy's URL, for a site's `imageEndpointOverride`. */
  url: string;
  downloads(imageId: string): ImageDownloads;
  close(): Promise<void>;
}

const downloadPath = /^\/v2\/images\/([^/?]+)\/file(?:\?|$)/;

export async function startImageReadCounter(glanceUrl: string): Promise<ImageReadCounter> {
  const target = new URL(glanceUrl);
  const counted = new Map<string, ImageDownloads>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const imageId = req.method === 'GET' ? downloadPath.exec(req.url ?? '')?.[1] : undefined;
    const tally = imageId && counted.get(imageId);
    const downloads = tally || { requests: 0, bytes: 0 };
    if (imageId) {
      downloads.requests++;
      counted.set(imageId, downloads);
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        if (imageId) reply.on('data', (chunk: Buffer) => (downloads.bytes += chunk.length));
        reply.pipe(res);
      },
    );
    upstream.on('error', (error) => res.destroy(error));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    downloads: (imageId) => ({ ...(counted.get(imageId) ?? { requests: 0, bytes: 0 }) }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
