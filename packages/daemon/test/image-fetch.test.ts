import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundPolicy } from '@glint/core';
import { fetchImage, ImageFetchError } from '../src/image-fetch';

let server: Server;
let base: string;
/** Exactly this test's server, as an operator would allow an internal image server. */
let allowed: OutboundPolicy;
const publicOnly = OutboundPolicy.publicOnly();

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
        response.writeHead(302, { location: '/image.raw' });
        response.end();
      },
      '/loop': () => {
        response.writeHead(302, { location: '/loop' });
        response.end();
      },
      '/nowhere': () => {
        response.writeHead(302);
        response.end();
      },
    };
    const url = request.url ?? '';
    // /to/<URL> redirects there.
    if (url.startsWith('/to/')) {
      response.writeHead(302, { location: url.slice('/to/'.length) });
      return response.end();
    }
    const route = routes[url];
    if (route) return route();
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  allowed = OutboundPolicy.parse([new URL(base).host]);
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

async function fetchFails(url: string, outbound: OutboundPolicy, extra = {}) {
  const error = await fetchImage(url, { outbound, ...extra }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageFetchError);
  return error as ImageFetchError;
}

async function text(url: string): Promise<string> {
  const fetched = await fetchImage(url, { outbound: allowed });
  let content = '';
  for await (const chunk of fetched.body) content += String(chunk);
  await fetched.dispatcher.close();
  return content;
}

test('a loopback URL is refused unless the policy names its host:port', async () => {
  const refused = await fetchFails(`${base}/image.raw`, publicOnly);
  expect(refused.message).toMatch(/the address 127\.0\.0\.1 is a loopback address/);
  expect(refused.retryable).toBe(false);
  expect(await text(`${base}/image.raw`)).toBe('bytes');
});

test('a host name is checked by the addresses it resolves to, and by its port', async () => {
  const port = new URL(base).port;
  expect((await fetchFails(`http://localhost:${port}/image.raw`, publicOnly)).message).toMatch(
    /localhost resolves to a loopback address/,
  );
  expect((await fetchFails(`http://127.0.0.1:6379/`, allowed)).message).toMatch(
    /127\.0\.0\.1:6379 must be reachable/,
  );
});

test('a redirect is followed under the same policy', async () => {
  expect(await text(`${base}/moved`)).toBe('bytes');
  const error = await fetchFails(`${base}/to/http://169.254.169.254/latest/meta-data/`, allowed);
  expect(error.message).toMatch(/169\.254\.169\.254 is a link-local address/);
  expect(error.retryable).toBe(false);
});

test.each([
  ['file:///etc/passwd', /redirects to a file:\/\/ URL; Glint follows redirects only to http/],
  ['gopher://127.0.0.1:6379/_INFO', /redirects to a gopher:\/\/ URL/],
  ['ftp://example.org/image.raw', /redirects to a ftp:\/\/ URL/],
])('a redirect to %s is a permanent failure with a clear message', async (target, message) => {
  const error = await fetchFails(`${base}/to/${target}`, allowed);
  expect(error.message).toMatch(message);
  expect(error.retryable).toBe(false);
});

test.each([
  ['/missing', {}, /answered 404 Not Found/],
  ['/page', {}, /serves text\/html, not an image/],
  ['/image.raw', { expectedSize: 6 }, /is 5 bytes long, not the 6 expected/],
  ['/loop', {}, /redirected more than 5 times/],
  ['/nowhere', {}, /answered 302 without a Location/],
])('%s gives a clear, permanent error', async (path, extra, message) => {
  const error = await fetchFails(`${base}${path}`, allowed, extra);
  expect(error.message).toMatch(message);
  expect(error.retryable).toBe(false);
});
