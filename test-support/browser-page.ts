/** Headless Chromium for the panel's browser tests and benchmark, and a page logged in to the API. */
import { chromium, type Browser, type Page } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A page of its own browser context carrying a session cookie (`name=value; …`, as the API test
 * helpers give it) for `base`, so the panel starts logged in and fetches its CSRF token itself.
 * Uncaught page errors go to `onPageError`.
 */
export async function loggedInPage(
  browser: Browser,
  base: string,
  cookie: string,
  viewport: { width: number; height: number },
  onPageError: (message: string) => void,
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  await context.addCookies(
    cookie.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: base };
    }),
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => onPageError(error.message));
  return page;
}
