import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Debian's nginx (deploy/test-env installs it) runs deploy/nginx/glint.conf as shipped, but on free
// ports, with a self-signed certificate, and with a small HTTP server standing for the API.
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'glint-nginx-'));
const [httpPort, httpsPort] = [18080 + (process.pid % 500) * 2, 18081 + (process.pid % 500) * 2];
let api: Server;
let nginx: ChildProcess;
const seen: { url: string; headers: Record<string, unknown>; bytes: number }[] = [];

beforeAll(async () => {
  const selfSigned = 'req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=glint.example.org';
  await run('openssl', [
    ...selfSigned.split(' '),
    ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
  ]);
  api = createServer((req, res) => {
    const entry = { url: req.url!, headers: req.headers, bytes: 0 };
    seen.push(entry);
    if (req.url === '/api/v1/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: job\ndata: {}\n\n'); // and the stream stays open
      return;
    }
    req.on('data', (chunk: Buffer) => (entry.bytes += chunk.length));
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const site = readFileSync(join(__dirname, '..', 'nginx', 'glint.conf'), 'utf8')
    .replace('127.0.0.1:8080', `127.0.0.1:${(api.address() as AddressInfo).port}`)
    .replace(/listen (\[::\]:)?80;/g, (_all, v6: string | undefined) =>
      v6 ? '' : `listen 127.0.0.1:${httpPort};`,
    )
    .replace(/listen (\[::\]:)?443 ssl http2;/g, (_all, v6: string | undefined) =>
      v6 ? '' : `listen 127.0.0.1:${httpsPort} ssl http2;`,
    )
    .replace('/etc/glint/tls/fullchain.pem', join(dir, 'cert.pem'))
    .replace('/etc/glint/tls/privkey.pem', join(dir, 'key.pem'));
  writeFileSync(join(dir, 'glint.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; pid ${dir}/nginx.pid; error_log stderr warn;
     events {}
     http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
            include ${dir}/glint.conf; }`,
  );
});

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGQUIT');
    await exited;
  }
  api?.closeAllConnections();
  await new Promise((resolve) => api?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

test('nginx -t accepts the configuration with a self-signed certificate', async () => {
  const { stderr } = await run('nginx', ['-t', '-c', join(dir, 'nginx.conf'), '-p', dir]);
  expect(stderr).toMatch(/syntax is ok/);
  expect(stderr).toMatch(/test is successful/);
  nginx = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
  for (let i = 0; i < 50; i++) {
    const up = await fetch(`http://127.0.0.1:${httpPort}/`, { redirect: 'manual' }).catch(
      () => null,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('nginx did not start');
});

test('plain HTTP is redirected to HTTPS', async () => {
  const response = await fetch(`http://127.0.0.1:${httpPort}/api/v1/me`, { redirect: 'manual' });
  expect(response.status).toBe(301);
  expect(response.headers.get('location')).toBe('https://127.0.0.1/api/v1/me');
});

function https(path: string, method = 'GET', body?: Buffer) {
  return new Promise<{ status: number; firstChunk: string; hsts: unknown }>((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: httpsPort, path, method, rejectUnauthorized: false },
      (res) =>
        res.once('data', (chunk: Buffer) => {
          resolve({
            status: res.statusCode!,
            firstChunk: chunk.toString(),
            hsts: res.headers['strict-transport-security'],
          });
          res.destroy();
        }),
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('HTTPS reaches the API with the X-Forwarded-* headers it trusts', async () => {
  const reply = await https('/api/v1/me');
  expect(reply).toMatchObject({ status: 200, firstChunk: 'ok', hsts: 'max-age=63072000' });
  expect(seen.at(-1)!.headers).toMatchObject({
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '127.0.0.1',
    'x-forwarded-host': '127.0.0.1',
  });
});

test('the event stream is passed on unbuffered: the first event arrives while the stream is open', async () => {
  const reply = await https('/api/v1/events');
  expect(reply.firstChunk).toBe('event: job\ndata: {}\n\n');
});

test('uploads have no body limit; other routes keep one', async () => {
  const big = Buffer.alloc(8 * 1024 * 1024, 1);
  expect((await https('/api/v1/images/upload?site=x', 'POST', big)).status).toBe(200);
  expect(seen.at(-1)!.bytes).toBe(big.length);
  expect((await https('/api/v1/sites', 'POST', big)).status).toBe(413);
});

test('health checks reach the API; /metrics does not, even for the operator', async () => {
  for (const path of ['/healthz', '/readyz']) {
    expect(await https(path)).toMatchObject({ status: 200, firstChunk: 'ok' });
    expect(seen.at(-1)!.url).toBe(path);
  }
  const before = seen.length;
  expect((await https('/metrics')).status).toBe(404);
  expect(seen.length).toBe(before);
});
