import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseNetworks } from '@glint/core';
import { fetchImage, ImageFetchError } from '../src/image-fetch';

let server: Server;
let base: string;
const loopback = parseNetworks(['127.0.0.0/8', '::1']);

beforeAll(async () => {
  server = createServer((request, response) => {
    const routes: Record<string, () => void> = {
      '/image.raw': () => {
        response.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': 5,
        });
        response.end('bytes');
      },
      '/page': () => {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end('<html>a download page</html>');
      },
      '/moved': () => {
        response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        response.end();
      },
    };
    const route = routes[request.url ?? ''];
    if (route) return route();
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

async function fetchFails(url: string, options: Parameters<typeof fetchImage>[1]) {
  const error = await fetchImage(url, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

test('a loopback URL is refused at fetch time unless the allow-list admits it', async () => {
  expect((await fetchFails(`${base}/image.raw`, {})).message).toMatch(/internal address/);
  const fetched = await fetchImage(`${base}/image.raw`, { allowed: loopback });
  let text = '';
  for await (const chunk of fetched.body) text += String(chunk);
  await fetched.dispatcher.close();
  expect({ text, size: fetched.size }).toEqual({ text: 'bytes', size: 5 });
});

test('a host name is checked by the addresses it resolves to, on every connection', async () => {
  const port = new URL(base).port;
  expect((await fetchFails(`http://localhost:${port}/image.raw`, {})).message).toMatch(
    /internal address/,
  );
});

test('a redirect to the metadata address is refused, even with loopback allowed', async () => {
  const error = await fetchFails(`${base}/moved`, { allowed: loopback });
  expect(error).toBeInstanceOf(ImageFetchError);
  expect(error.message).toMatch(/169\.254\.169\.254/);
});

test.each([
  ['/missing', {}, /answered 404 Not Found/],
  ['/page', {}, /serves text\/html, not an image/],
  ['/image.raw', { expectedSize: 6 }, /is 5 bytes long, not the 6 expected/],
])('%s gives a clear error', async (path, extra, message) => {
  const error = await fetchFails(`${base}${path}`, { allowed: loopback, ...extra });
  expect(error).toBeInstanceOf(ImageFetchError);
  expect(error.message).toMatch(message);
  expect((error as ImageFetchError).retryable).toBe(false);
});
