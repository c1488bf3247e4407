/**
 * Login CSRF: another site's page must not be able to log its visitor in to the attacker's account
 * (a form posting multipart/form-data needs no preflight), nor change anything with a session.
 */
import type { FastifyInstance } from 'fastify';
import {
  keystoneToken,
  loginBody,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const dashboard = 'https://dashboard.example.org';
let env: TestEnvironment;
let server: FastifyInstance;
let demo: Session;

beforeAll(async () => {
  ({ env, server, user: demo } = await withSites({}, { GLINT_CORS_ORIGINS: dashboard }));
});

afterAll(async () => {
  await env?.close();
});

/** A login (by default noimage's, standing for the attacker's account) with these headers. */
const logInWith = (
  headers: Record<string, string>,
  payload: string | object = loginBody('noimage'),
) => server.inject({ method: 'POST', url: '/api/v1/auth/login', headers, payload });

/** A login body as a cross-site HTML form would post it, with the attacker's credentials. */
function formLogin(): { payload: string; contentType: string } {
  const boundary = '----formboundary7MA4YWxk';
  const fields = Object.entries(loginBody('noimage')).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${String(value)}\r\n`,
  );
  return {
    payload: `${fields.join('')}--${boundary}--\r\n`,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

test('login CSRF: a multipart/form-data login is refused (415) and starts no session', async () => {
  const { payload, contentType } = formLogin();
  const response = await logInWith({ 'content-type': contentType }, payload);
  expect(response.statusCode).toBe(415);
  expect(response.json()).toMatchObject({
    error: 'unsupported_media_type',
    message: expect.stringContaining('application/json'),
  });
  expect(response.cookies).toEqual([]);
});

test('login CSRF: an url-encoded form login is refused (415) too', async () => {
  const response = await logInWith(
    { 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams(loginBody('noimage')).toString(),
  );
  expect(response.statusCode).toBe(415);
  expect(response.cookies).toEqual([]);
});

test('login CSRF: a JSON login from another site’s page (its Origin) is refused with 403', async () => {
  for (const origin of ['https://evil.example', 'null', `${dashboard}.evil.example`]) {
    const response = await logInWith({ origin });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({
      error: 'origin_not_allowed',
      message: expect.stringContaining('GLINT_CORS_ORIGINS'),
    });
    expect(response.cookies).toEqual([]);
  }
});

test('every state-changing request is checked: a session with its CSRF token, sent from another site, is refused', async () => {
  const before = await env.snapshot('sites', 'audit_events');
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/sites/refresh',
    headers: { ...demo.headers, origin: 'https://evil.example' },
  });
  expect(response.statusCode).toBe(403);
  expect(await env.snapshot('sites', 'audit_events')).toEqual(before);
  // Reading is not: a page elsewhere cannot read the reply anyway without CORS.
  const read = await server.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { cookie: demo.cookie, origin: 'https://evil.example' },
  });
  expect(read.statusCode).toBe(200);
});

test('the panel’s own page logs in, directly and behind the TLS front', async () => {
  const direct = await logInWith(
    { host: 'glint.test:8080', origin: 'http://glint.test:8080' },
    loginBody(),
  );
  expect(direct.statusCode).toBe(200);
  // nginx passes Host without the port the browser used.
  const fronted = await logInWith(
    { host: 'glint.example.org', origin: 'https://glint.example.org:8443' },
    loginBody(),
  );
  expect(fronted.statusCode).toBe(200);
  const otherHost = await logInWith(
    { host: 'glint.test:8080', origin: 'http://glint.test:9090' },
    loginBody(),
  );
  expect(otherHost.statusCode).toBe(403);
});

test('a dashboard in GLINT_CORS_ORIGINS (Horizon) changes state with its Keystone token', async () => {
  const token = await keystoneToken();
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/sites/refresh',
    headers: { 'x-auth-token': token, origin: dashboard },
  });
  expect(response.statusCode).toBe(202);
});

test('the CLI and scripts (no Origin, no cookie) keep working with a token or a JSON login', async () => {
  const token = await keystoneToken();
  const refresh = await server.inject({
    method: 'POST',
    url: '/api/v1/sites/refresh',
    headers: { 'x-auth-token': token },
  });
  expect(refresh.statusCode).toBe(202);
  const loggedIn = await logInWith({}, loginBody());
  expect(loggedIn.statusCode).toBe(200);
});
