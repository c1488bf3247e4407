/**
 * Security headers: none were sent on /, /docs or the API. The standalone page may not be framed
 * and runs only its own scripts; the API's replies hold users' data that no cache may keep; cookies
 * are Secure when a trusted TLS front says the request came over https. Chromium checks that the
 * page and the docs still work under their Content-Security-Policy.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../test-support/browser-page';
import {
  loginBody,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

let env: TestEnvironment;
let server: FastifyInstance;
let demo: Session;

beforeAll(async () => {
  ({ env, server, user: demo } = await withSites({}));
});

afterAll(async () => {
  await env?.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  server.inject({ method: 'GET', url, headers });

/** The CSP's directives by name. */
function directives(header: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name, ...values] = part.split(/\s+/);
        return [name!, values.join(' ')];
      }),
  );
}

test('the standalone page: a CSP that allows only its own scripts and no framing, nosniff, no referrer', async () => {
  const page = await get('/');
  expect(page.statusCode).toBe(200);
  const csp = directives(page.headers['content-security-policy'] as string);
  expect(csp).toMatchObject({
    'default-src': "'self'",
    'script-src': "'self'",
    'object-src': "'none'",
    'base-uri': "'none'",
    'frame-ancestors': "'none'",
  });
  expect(page.headers).toMatchObject({
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
});

test('the API docs and the OpenAPI document get the headers too', async () => {
  for (const url of ['/docs/', '/docs/json']) {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    expect(directives(response.headers['content-security-policy'] as string)).toMatchObject({
      'frame-ancestors': "'none'",
    });
  }
});

test('user data is never cached: every API reply is no-store, errors included', async () => {
  for (const [url, headers, status] of [
    ['/api/v1/sites', { cookie: demo.cookie }, 200],
    ['/api/v1/me', { cookie: demo.cookie }, 200],
    ['/api/v1/jobs', { cookie: demo.cookie }, 200],
    ['/api/v1/matrix', {}, 401],
  ] as const) {
    const response = await get(url, headers);
    expect([url, response.statusCode]).toEqual([url, status]);
    expect([url, response.headers['cache-control']]).toEqual([url, 'no-store']);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  }
});

test('the panel bundle may be loaded by dashboards on other origins (Horizon)', async () => {
  const bundle = await get('/panel/glint-panel.js');
  expect(bundle.statusCode).toBe(200);
  expect(bundle.headers['cross-origin-resource-policy']).toBe('cross-origin');
});

describe('cookies get Secure behind the documented TLS front', () => {
  const loginOver = async (trustProxy: string, forwardedProto: string) => {
    const fronted = await env.start({ GLINT_TRUST_PROXY: trustProxy });
    const response = await fronted.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-forwarded-proto': forwardedProto },
      payload: loginBody(),
    });
    expect(response.statusCode).toBe(200);
    return response.cookies;
  };

  test('X-Forwarded-Proto: https from a trusted proxy makes every cookie Secure', async () => {
    const cookies = await loginOver('127.0.0.1', 'https');
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual([
      'glint_csrf',
      'glint_keystone_token',
      'glint_session',
    ]);
    for (const cookie of cookies) expect([cookie.name, cookie.secure]).toEqual([cookie.name, true]);
  });

  test('the same header from a client no one trusts changes nothing', async () => {
    const cookies = await loginOver('10.9.9.9', 'https');
    for (const cookie of cookies)
      expect([cookie.name, cookie.secure ?? false]).toEqual([cookie.name, false]);
  });
});

describe('in Chromium, the page and the docs work under their CSP', () => {
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    await server.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** A page that records every CSP violation in `window.violations`. */
  async function watchedPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { violations: string[] }).violations = seen;
      document.addEventListener('securitypolicyviolation', (event) =>
        seen.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    return page;
  }

  const violations = (page: Page) =>
    page.evaluate(() => (window as unknown as { violations: string[] }).violations);

  test('the standalone page shows its login and logs in, with no violation', async () => {
    const page = await watchedPage();
    await page.goto(`${base}/`);
    const { username, password, project } = loginBody();
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Project').fill(project);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('tab', { name: 'Sites' }).waitFor();
    expect(await violations(page)).toEqual([]);
  });

  test('the API docs render their operations, with no violation', async () => {
    const page = await watchedPage();
    await page.goto(`${base}/docs/`);
    await page.locator('.opblock').first().waitFor();
    expect(await violations(page)).toEqual([]);
  });
});
