/**
 * One panel component on a page of its own in Chromium, as a Lit library's component tests run:
 * the panel's elements and its API client, built from the sources by esbuild into one script that
 * sets `window.glint` ({ApiClient, and every element class}). With `origin` (a running API), the
 * page is on the API's origin, so the client's requests and the session cookie work as they do
 * on the standalone page.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';

const panelDir = join(__dirname, '../packages/panel');
let script: Promise<string> | undefined;

function panelScript(): Promise<string> {
  script ??= build({
    stdin: {
      contents: "export * from './src/index';\nexport { ApiClient } from './src/api-client';\n",
      resolveDir: panelDir,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'glint',
    target: 'es2022',
    tsconfig: join(panelDir, 'tsconfig.json'),
    write: false,
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  return script;
}

/** A page with the panel's script loaded and nothing else; uncaught errors go to `pageErrors`. */
export async function componentPage(
  browser: Browser,
  pageErrors: string[],
  origin?: string,
): Promise<Page> {
  // The API's Content-Security-Policy forbids inline scripts, rightly; this page is the test's own.
  const context = await browser.newContext({
    viewport: { width: 900, height: 700 },
    bypassCSP: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  if (origin) await page.goto(`${origin}/healthz`);
  await page.setContent('<!doctype html><html lang="en"><body><main></main></body></html>');
  await page.addScriptTag({ content: await panelScript() });
  return page;
}
