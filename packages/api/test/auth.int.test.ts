import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  cookieHeader,
  keystoneToken,
  login,
  loginBody,
  testEnvironment,
  type TestEnvironment,
} from '../../../test-support/test-environment';

let env: TestEnvironment;
let server: FastifyInstance;

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
});

afterAll(async () => {
  await env?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('login', () => {
  test('works for the demo user: an httpOnly, SameSite=Strict session cookie and a CSRF token', async () => {
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: loginBody('demo'),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user).toMatchObject({
      name: 'demo',
      domain: 'Default',
      isAdmin: false,
      authMethod: 'session',
      project: { name: 'demo' },
    });
    expect(body.csrfToken).toEqual(expect.any(String));

    const session = response.cookies.find((c) => c.name === 'glint_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    // Plain HTTP without a proxy saying otherwise: the cookie must still work, so no Secure.
    expect(session.secure).toBeUndefined();
    expect(session.maxAge).toBeGreaterThan(0);

    const [user] = await env.query(
      'SELECT name, domain_name, project_name, is_admin FROM users WHERE name = $1',
      ['demo'],
    );
    expect(user).toEqual({
      name: 'demo',
      domain_name: 'Default',
      project_name: 'demo',
      is_admin: false,
    });

    const me = await server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: cookieHeader(response) },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ name: 'demo', authMethod: 'session', id: body.user.id });
  });

  test('marks a user with the admin role in Keystone as an admin', async () => {
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: loginBody('admin'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ name: 'admin', isAdmin: true });
  });

  test('gives 401 on a bad password, and stores nothing but the count of failures', async () => {
    const usersBefore = await env.query('SELECT * FROM users ORDER BY id');
    const keys = async () =>
      (await env.redisKeys()).filter((key) => !key.startsWith('login-failures:')).sort();
    const keysBefore = await keys();
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: loginBody('noimage', { password: 'not-the-password' }),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'invalid_credentials',
      message: expect.stringMatching(/password/),
    });
    expect(response.cookies).toEqual([]);
    expect(await env.query('SELECT * FROM users ORDER BY id')).toEqual(usersBefore);
    expect(await keys()).toEqual(keysBefore);
  });

  test('a session is kept in Redis under a hash of its id, never the id itself', async () => {
    const session = await login(server);
    const id = /glint_session=([^;]+)/.exec(session.cookie)![1]!;
    const keys = await env.redisKeys();
    expect(keys.some((key) => key.includes(id))).toBe(false);
    expect(keys.filter((key) => key.startsWith('session:')).length).toBeGreaterThan(0);
  });
});

describe('sessions', () => {
  test('a logged-out session is refused', async () => {
    const session = await login(server);
    const logout = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: session.headers,
    });
    expect(logout.statusCode).toBe(204);
    expect(logout.cookies.find((c) => c.name === 'glint_session')?.value).toBe('');

    const me = await server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: session.cookie },
    });
    expect(me.statusCode).toBe(401);
    expect(me.json().error).toBe('session_expired');
  });

  test('expire after the configured time', async () => {
    const shortLived = await env.start({ GLINT_SESSION_TTL: '2' });
    const response = await shortLived.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: loginBody('demo'),
    });
    expect(response.cookies.find((c) => c.name === 'glint_session')?.maxAge).toBe(2);
    const cookie = cookieHeader(response);
    expect(
      (await shortLived.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } }))
        .statusCode,
    ).toBe(200);
    await sleep(2500);
    const me = await shortLived.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect(me.statusCode).toBe(401);
    expect(me.json().error).toBe('session_expired');
  });

  test('never outlive the Keystone token they were made from', async () => {
    const session = await login(server);
    const me = (
      await server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: session.cookie } })
    ).json();
    const tokenLifetimeMs = sandboxCloud(1).tokenExpiration * 1000;
    expect(Date.parse(me.expiresAt) - Date.now()).toBeLessThanOrEqual(tokenLifetimeMs);
  });

  test('without a session or token, API routes answer 401', async () => {
    const response = await server.inject({ method: 'GET', url: '/api/v1/me' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'authentication_required',
      message: expect.stringContaining('/api/v1/auth/login'),
    });
  });

  test('the cookie is Secure when the request came over TLS through a trusted proxy', async () => {
    const behindProxy = await env.start({ GLINT_TRUST_PROXY: 'true' });
    const response = await behindProxy.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-forwarded-proto': 'https' },
      payload: loginBody('demo'),
    });
    expect(response.cookies.find((c) => c.name === 'glint_session')?.secure).toBe(true);
  });
});

describe('CSRF', () => {
  test('a state-changing request of a cookie session without the token is 403', async () => {
    const session = await login(server);
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: session.cookie },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      error: 'csrf_token_invalid',
      message: expect.stringContaining('X-CSRF-Token'),
    });
    // Still logged in.
    expect(
      (
        await server.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { cookie: session.cookie },
        })
      ).statusCode,
    ).toBe(200);
  });

  test("another session's token is refused", async () => {
    const mine = await login(server);
    const theirs = await login(server);
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: mine.cookie, 'x-csrf-token': theirs.csrfToken },
    });
    expect(response.statusCode).toBe(403);
  });

  test('GET /auth/csrf gives a token that works', async () => {
    const session = await login(server);
    const csrf = await server.inject({
      method: 'GET',
      url: '/api/v1/auth/csrf',
      headers: { cookie: session.cookie },
    });
    expect(csrf.statusCode).toBe(200);
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: session.cookie, 'x-csrf-token': csrf.json().csrfToken },
    });
    expect(response.statusCode).toBe(204);
  });
});

describe('the session probe', () => {
  const probe = (cookie?: string) =>
    server.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      ...(cookie ? { headers: { cookie } } : {}),
    });

  test('without a session it answers 200, not authenticated, so a page before login logs no error', async () => {
    const response = await probe();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ authenticated: false });
  });

  test('with a session: who it is, and a CSRF token that works', async () => {
    const session = await login(server);
    const response = await probe(session.cookie);
    expect(response.json()).toEqual({
      authenticated: true,
      user: expect.objectContaining({
        name: sandboxCloud(1).users.demo.username,
        project: expect.objectContaining({ name: sandboxCloud(1).users.demo.projectName }),
        authMethod: 'session',
      }),
      csrfToken: expect.any(String),
    });
    const logout = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: session.cookie, 'x-csrf-token': response.json().csrfToken },
    });
    expect(logout.statusCode).toBe(204);
    // Ended: not authenticated, and the dead cookie is cleared.
    const ended = await probe(session.cookie);
    expect([ended.statusCode, ended.json()]).toEqual([200, { authenticated: false }]);
    expect(ended.cookies.find((c) => c.name === 'glint_session')?.value).toBe('');
  });
});

describe('Keystone tokens', () => {
  test('a dashboard origin in GLINT_CORS_ORIGINS may call with a token; others get no CORS headers', async () => {
    const horizon = 'http://127.0.0.1:15500';
    const embedding = await env.start({ GLINT_CORS_ORIGINS: horizon });
    const preflight = await embedding.inject({
      method: 'OPTIONS',
      url: '/api/v1/placements',
      headers: {
        origin: horizon,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'x-auth-token, content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(horizon);
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/X-Auth-Token/i);
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();

    const token = await keystoneToken('demo');
    const me = await embedding.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { origin: horizon, 'x-auth-token': token },
    });
    expect(me.statusCode).toBe(200);
    expect(me.headers['access-control-allow-origin']).toBe(horizon);

    const stranger = await embedding.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { origin: 'https://evil.example', 'x-auth-token': token },
    });
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    const byDefault = await server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { origin: horizon, 'x-auth-token': token },
    });
    expect(byDefault.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('X-Auth-Token and Authorization: Bearer authenticate, and need no CSRF token', async () => {
    const token = await keystoneToken('demo');
    const viaHeader = await server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { 'x-auth-token': token },
    });
    expect(viaHeader.statusCode).toBe(200);
    expect(viaHeader.json()).toMatchObject({ name: 'demo', authMethod: 'token' });

    const viaBearer = await server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(viaBearer.statusCode).toBe(200);
    expect(viaBearer.json().id).toBe(viaHeader.json().id);

    const stateChange = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { 'x-auth-token': token },
    });
    expect(stateChange.statusCode).toBe(204);
  });

  test('the validation is cached in Redis until the token expires, at most the configured time', async () => {
    const token = await keystoneToken('demo');
    await server.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-auth-token': token } });
    const keys = (await env.redisKeys()).filter((key) => key.startsWith('token:'));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((key) => key.includes(token))).toBe(false);
    for (const key of keys) {
      const ttl = await env.redisTtlMs(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300_000);
    }
  });

  test('a bad token is 401', async () => {
    const response = await server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { 'x-auth-token': 'gAAAAAnot-a-token' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: 'invalid_token', message: expect.any(String) });
  });

  test('a revoked token is refused once the cache no longer vouches for it', async () => {
    const uncached = await env.start({ GLINT_TOKEN_CACHE_TTL: '0' });
    const token = await keystoneToken('demo');
    const me = () =>
      uncached.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-auth-token': token } });
    expect((await me()).statusCode).toBe(200);
    const revoke = await fetch(`${sandboxCloud(1).authUrl}/auth/tokens`, {
      method: 'DELETE',
      headers: { 'x-auth-token': token, 'x-subject-token': token },
    });
    expect(revoke.status).toBe(204);
    expect((await me()).statusCode).toBe(401);
  });
});

describe('over a real socket', () => {
  test('login, the session cookie and /me work through HTTP', async () => {
    const listening = await env.start();
    const address = await listening.listen({ host: '127.0.0.1', port: 0 });
    const loginResponse = await fetch(`${address}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(loginBody('demo')),
    });
    expect(loginResponse.status).toBe(200);
    const setCookie = loginResponse.headers
      .getSetCookie()
      .find((c) => c.startsWith('glint_session='))!;
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    const me = await fetch(`${address}/api/v1/me`, {
      headers: { cookie: setCookie.split(';')[0]! },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'demo' });
  });

  test('served over TLS, the session cookie is Secure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glint-tls-'));
    const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    const listening = await env.start({ GLINT_TLS_CERT: certFile, GLINT_TLS_KEY: keyFile });
    await listening.listen({ host: '127.0.0.1', port: 0 });
    const { port } = listening.server.address() as AddressInfo;
    const setCookie = await new Promise<string[]>((resolve, reject) => {
      const request = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/auth/login',
          method: 'POST',
          ca: readFileSync(certFile),
          headers: { 'content-type': 'application/json' },
        },
        (response) => {
          response.resume();
          resolve(response.headers['set-cookie'] ?? []);
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify(loginBody('demo')));
    });
    expect(setCookie.find((c) => c.startsWith('glint_session='))).toMatch(/; Secure/);
    rmSync(dir, { recursive: true });
  });
});

test('the OpenAPI document is served at /docs', async () => {
  const response = await server.inject({ method: 'GET', url: '/docs/json' });
  expect(response.statusCode).toBe(200);
  const paths = Object.keys(response.json().paths);
  expect(paths).toEqual(
    expect.arrayContaining([
      '/api/v1/auth/login',
      '/api/v1/me/',
      '/api/v1/sites/',
      '/api/v1/sites/{id}/health',
    ]),
  );
});

test('no password, session id or token reaches the logs', async () => {
  const session = await login(server);
  const token = await keystoneToken('demo');
  await server.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { 'x-auth-token': token, cookie: session.cookie },
  });
  const logs = env.logs.join('\n');
  expect(logs).not.toContain(sandboxCloud(1).users.demo.password);
  expect(logs).not.toContain(/glint_session=([^;]+)/.exec(session.cookie)![1]);
  expect(logs).not.toContain(token);
  expect(logs).not.toContain(session.csrfToken);
});
