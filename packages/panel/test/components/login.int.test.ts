/**
 * <glint-login> on its own in Chromium against the real API and the sandbox's Keystone: a wrong
 * password shows the API's message and logs nobody in; the right one fires `logged-in` with the
 * user, leaves the session's CSRF token with the client and the session cookie with the browser.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import {
  loginBody,
  testEnvironment,
  type TestEnvironment,
} from '../../../../test-support/test-environment';
import { launchChromium } from '../../../../test-support/browser-page';
import { componentPage } from '../../../../test-support/component-page';

let env: TestEnvironment;
let server: FastifyInstance;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const demo = loginBody('demo');

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
  await server.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await componentPage(
    browser,
    pageErrors,
    `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
  );
  await page.evaluate(() => {
    const { ApiClient } = (
      window as unknown as { glint: { ApiClient: new (base: string, token: null) => unknown } }
    ).glint;
    const client = new ApiClient('', null);
    const login = document.createElement('glint-login') as HTMLElement & { client: unknown };
    login.client = client;
    const loggedIn: unknown[] = [];
    document.body.addEventListener('logged-in', (event) =>
      loggedIn.push((event as CustomEvent).detail),
    );
    Object.assign(window, { client, loggedIn });
    document.querySelector('main')!.append(login);
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function submit(password: string) {
  const login = page.locator('glint-login');
  await login.locator('input[name="username"]').fill(demo.username);
  await login.locator('input[name="password"]').fill(password);
  await login.locator('input[name="project"]').fill(demo.project);
  await login.locator('button[type="submit"]').click();
}

const loggedIn = () =>
  page.evaluate(() => (window as unknown as { loggedIn: { name: string }[] }).loggedIn);

test('it is a form with a level-one heading and the four fields', async () => {
  const login = page.locator('glint-login');
  expect(await login.locator('h1').innerText()).toBe('Log in to Glint');
  expect(
    await login.locator('input').evaluateAll((inputs) => inputs.map((i) => i.getAttribute('name'))),
  ).toEqual(['username', 'password', 'project', 'domain']);
});

test('a wrong password shows the API’s message and fires nothing', async () => {
  const refused = await server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { ...demo, password: 'not-the-password' },
  });
  expect(refused.statusCode).toBe(401);
  await submit('not-the-password');
  const alert = page.locator('glint-login .error[role="alert"]');
  await alert.waitFor();
  expect(await alert.innerText()).toBe(refused.json<{ message: string }>().message);
  expect(await loggedIn()).toEqual([]);
});

test('the right password fires logged-in with the user and starts a session', async () => {
  await submit(demo.password);
  await page.waitForFunction(
    () => (window as unknown as { loggedIn: unknown[] }).loggedIn.length > 0,
  );
  const [user] = await loggedIn();
  expect(user).toEqual(expect.objectContaining({ name: demo.username }));
  const session = await page.evaluate(async () => {
    const { client } = window as unknown as { client: { csrfToken: string | null } };
    const me = await fetch('/api/v1/me').then((r) => r.json() as Promise<{ name: string }>);
    return { csrfToken: client.csrfToken, me: me.name };
  });
  expect(session.csrfToken).toEqual(expect.any(String));
  expect(session.me).toBe(demo.username);
  expect(await page.locator('glint-login .error').count()).toBe(0);
  expect(pageErrors).toEqual([]);
});
