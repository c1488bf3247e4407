#!/usr/bin/env node
// Smoke check of the Horizon plugin in a real browser: logs in to Horizon as
// the sandbox's demo user, opens Project → Compute → Image Distribution and
// checks that <glint-panel> is there with the user's Keystone token.
//
//   node deploy/horizon/smoke.mjs [horizon-url] [screenshot.png]
//
// Needs Debian's chromium and playwright-core (from the workspace).
// The functions handed to page.evaluate run in the browser, hence its globals.
/* global URL, document, customElements */
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';

const base = (process.argv[2] ?? 'http://127.0.0.1:15500').replace(/\/$/, '');
const shot = process.argv[3] ?? 'test-output/horizon/image-distribution.png';
const sandbox = process.env.GLINT_SANDBOX_DIR ?? '/var/tmp/glint-sandbox';
const cloud = JSON.parse(readFileSync(`${sandbox}/clouds.json`, 'utf8')).clouds.find(
  (c) => c.index === 1,
);
const { username, password } = cloud.users.demo;

const started = Date.now();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

  await page.goto(`${base}/auth/login/`);
  await page.fill('#id_username', username);
  await page.fill('#id_password', password);
  await Promise.all([page.waitForNavigation(), page.click('#loginBtn')]);
  if (new URL(page.url()).pathname.startsWith('/auth/login')) {
    throw new Error(`login failed, still on ${page.url()}`);
  }
  const landed = page.url();
  const landingErrors = consoleErrors.splice(0);
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot.replace(/\.png$/, '') + '-landing.png' });

  // Through the menu, as a user would.
  const link = page.locator('a.openstack-panel', { hasText: 'Image Distribution' });
  await Promise.all([page.waitForNavigation(), link.click()]);
  const panel = page.locator('glint-panel');
  await panel.waitFor({ state: 'attached' });
  const found = await page.evaluate(() => {
    const el = document.querySelector('glint-panel');
    return {
      apiBase: el?.getAttribute('api-base') ?? null,
      token: typeof el?.token === 'string' ? el.token : null,
      defined: Boolean(customElements.get('glint-panel')),
      script: document.querySelector('script[type=module][src$="/panel/glint-panel.js"]')?.src,
    };
  });
  await page.screenshot({ path: shot, fullPage: true });

  console.log(
    JSON.stringify(
      {
        landed,
        landingErrors: landingErrors.map((e) => e.split('\n')[0]),
        panelUrl: page.url(),
        apiBase: found.apiBase,
        script: found.script,
        tokenLength: found.token?.length ?? 0,
        elementDefined: found.defined,
        panelErrors: consoleErrors,
        screenshot: shot,
        seconds: (Date.now() - started) / 1000,
      },
      null,
      2,
    ),
  );
  if (!found.token) throw new Error('<glint-panel> has no token');
} finally {
  await browser.close();
}
