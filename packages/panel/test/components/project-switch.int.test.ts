/**
 * The standalone page's project switch in headless Chromium, against the real API and the
 * sandbox's Keystone: the team-admin (admin on team-a and team-b) logs in to team-a, sees its site,
 * switches to team-b in the header, and sees team-b's instead, with no reload.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import {
  addSandboxSites,
  login,
  testEnvironment,
  type TestEnvironment,
} from '../../../../test-support/test-environment';
import { launchChromium, loggedInPage } from '../../../../test-support/browser-page';

let env: TestEnvironment;
let server: FastifyInstance;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
  await addSandboxSites(server, await login(server, 'team-admin', 'team-b'), { 'b-site': 2 });
  const session = await login(server, 'team-admin', 'team-a');
  await addSandboxSites(server, session, { 'a-site': 1 });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await loggedInPage(browser, base, session.cookie, { width: 1100, height: 760 }, (m) =>
    pageErrors.push(m),
  );
  await page.goto(base);
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

test("switching the project in the header shows the other project's sites", async () => {
  await page.click('[role="tab"]:text-is("Sites")');
  const sites = page.locator('glint-sites-view');
  await sites.getByText('a-site').first().waitFor();
  await page.locator('.user').getByText('team-admin · team-a (admin)').waitFor();

  await page.locator('glint-project-switch select').selectOption({ label: 'team-b' });

  await page.locator('.user').getByText('team-admin · team-b (admin)').waitFor();
  await page.click('[role="tab"]:text-is("Sites")');
  await page.locator('glint-sites-view').getByText('b-site').first().waitFor();
  expect(await page.locator('glint-sites-view').getByText('a-site').count()).toBe(0);
  expect(pageErrors).toEqual([]);
});
