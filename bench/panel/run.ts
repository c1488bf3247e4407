/**
 * bench/panel: the image matrix at the size the issue names, in headless Debian Chromium. Seeds
 * 2,000 logical images × 50 sites (bench/matrix's seeding), serves the real API and the panel
 * bundle, opens the standalone page logged in, and measures:
 *
 * - time to first render: from navigation start until the first screen of rows holds its cells,
 *   against the baseline of the API's own first page (`GET /api/v1/matrix?limit=100`, fetched by
 *   the same browser);
 * - scroll frames: the interval between animation frames, and the main thread's work (script,
 *   style, layout) per frame from Chromium's counters, while the grid scrolls down through all
 *   2,000 rows and then across all 50 sites, against the baseline of a static HTML table (no script)
 *   holding the same cells' text for 200 rows × 50 sites, scrolled alike in the same browser.
 *
 *   npm run bench:panel      # needs PostgreSQL, Redis, the sandbox (for the login) and /usr/bin/chromium
 *   BENCH_IMAGES=2000 BENCH_SITES=50 BENCH_STEP=132 npm run bench:panel
 */
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, loggedInPage } from '../../test-support/browser-page';
import { ms, percentile, seededApi } from '../matrix/seeded-api';

const imageCount = Number(process.env.BENCH_IMAGES ?? 2000);
const siteCount = Number(process.env.BENCH_SITES ?? 50);
/** Pixels scrolled per frame: three rows, a fast wheel. */
const step = Number(process.env.BENCH_STEP ?? 132);
const firstRenders = Number(process.env.BENCH_RUNS ?? 5);
/** A frame slower than one 60 Hz vsync, with a millisecond for timer jitter. */
const frameBudget = 1000 / 60;

interface Frames {
  /** Main-thread work (script, style, layout) per frame, from Chromium's own counters. */
  work: number;
  median: number;
  p95: number;
  worst: number;
  over: number;
  count: number;
}

function summary(intervals: number[], work: number): Frames {
  return {
    work: work / intervals.length,
    median: percentile(intervals, 0.5),
    p95: percentile(intervals, 0.95),
    worst: Math.max(...intervals),
    over: intervals.filter((t) => t > frameBudget + 1).length / intervals.length,
    count: intervals.length,
  };
}

const describe = (f: Frames) =>
  `main-thread work ${ms(f.work)} a frame; intervals median ${ms(f.median)}, p95 ${ms(f.p95)}, worst ${ms(f.worst)}, ` +
  `${(f.over * 100).toFixed(1)} % of ${f.count} frames over ${ms(frameBudget)}`;

/**
 * In the page: scrolls `selector`'s element by `step` pixels a frame,
 * down to the end and then across, and returns the intervals between frames.
 */
async function scrollFrames(page: Page, selector: string, stepPx: number): Promise<Frames> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    return (
      (value('ScriptDuration') + value('RecalcStyleDuration') + value('LayoutDuration')) * 1000
    );
  };
  const before = await busy();
  // Playwright's CSS pierces shadow roots: the panel's grid is inside two.
  const scroller = await page.locator(selector).elementHandle();
  const intervals = await scroller!.evaluate(
    (scroller, stepPx) =>
      new Promise<number[]>((resolve) => {
        const intervals: number[] = [];
        let last = 0;
        const frame = (now: number) => {
          if (last) intervals.push(now - last);
          last = now;
          const down = scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 1;
          const across = scroller.scrollLeft + scroller.clientWidth < scroller.scrollWidth - 1;
          if (down) scroller.scrollTop += stepPx;
          else if (across) scroller.scrollLeft += stepPx / 2;
          else return resolve(intervals);
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
    stepPx,
  );
  return summary(intervals, (await busy()) - before);
}

/** Milliseconds from navigation start until the first screen of the matrix holds its cells. */
async function firstRender(page: Page, base: string): Promise<number> {
  await page.goto(base);
  const matrix = await page.locator('glint-image-matrix').elementHandle();
  // The tenth row's cells: the first screen is there, not just the first page's start.
  const at = await page.waitForFunction(
    (matrix) => (matrix.shadowRoot!.querySelector('.cell[data-row="9"]') ? performance.now() : 0),
    matrix!,
    { polling: 'raf', timeout: 30_000 },
  );
  return at.jsonValue();
}

/** The same cells' text as a plain table, no script: the browser's own scrolling floor. */
function staticTable(rows: { name: string; cells: string[] }[]): string {
  const body = rows
    .map((r) => `<tr><th>${r.name}</th>${r.cells.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('');
  return `<!doctype html><html><head><style>
    body { margin: 0; font: 13px system-ui, sans-serif; }
    .scroller { height: 480px; width: 1060px; overflow: auto; margin: 120px 20px; }
    table { border-collapse: collapse; }
    th, td { height: 43px; min-width: 120px; padding: 0 6px; border-bottom: 1px solid #eee; white-space: nowrap; }
    </style></head><body><div class="scroller"><table>${body}</table></div></body></html>`;
}

async function main(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build', '-w', '@glint/panel'], {
    cwd: join(__dirname, '../..'),
    stdio: 'inherit',
  });
  const api = await seededApi({ images: imageCount, sites: siteCount });
  const browser = await launchChromium();
  try {
    await api.server.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(api.server.server.address() as AddressInfo).port}`;
    const page = await loggedInPage(browser, base, api.cookie, { width: 1100, height: 760 }, (m) =>
      console.error(`page error: ${m}`),
    );
    page.on('console', (message) => {
      if (message.type() === 'error') console.error(`console: ${message.text()}`);
    });

    // Baseline: the API's first page as the panel asks for it, from the same browser.
    await page.goto(`${base}/panel/glint-panel.js`);
    const apiPage = await page.evaluate(async () => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const begun = performance.now();
        const response = await fetch('/api/v1/matrix?offset=0&limit=100');
        await response.json();
        times.push(performance.now() - begun);
      }
      return times.sort((x, y) => x - y)[2]!;
    });
    const renders: number[] = [];
    for (let i = 0; i < firstRenders; i++) renders.push(await firstRender(page, base));
    const render = percentile(renders, 0.5);
    console.log(`baseline GET /api/v1/matrix?limit=100 in the browser: median ${ms(apiPage)}`);
    console.log(
      `first render of ${imageCount} × ${siteCount} (navigation to a screen of cells), ${firstRenders} loads: ` +
        `median ${ms(render)} (${(render / apiPage).toFixed(1)}× the API's first page), worst ${ms(Math.max(...renders))} — ` +
        `target ≤ 1500 ms: ${render <= 1500 ? 'met' : 'MISSED'}`,
    );

    const cells = await page
      .locator('glint-image-matrix')
      .evaluate((matrix) => matrix.shadowRoot!.querySelectorAll('*').length);
    console.log(`elements in the matrix's shadow root at first render: ${cells}`);

    const matrixFrames = await scrollFrames(page, '.scroller[role="grid"]', step);

    const rows = (
      await (
        await fetch(`${base}/api/v1/matrix?offset=0&limit=200`, {
          headers: { cookie: api.cookie },
        })
      ).json()
    ).rows as { name: string; cells: { state: string }[] }[];
    const table = await page.context().newPage();
    await table.setContent(
      staticTable(rows.map((r) => ({ name: r.name, cells: r.cells.map((c) => c.state) }))),
    );
    const tableFrames = await scrollFrames(table, '.scroller', step);

    console.log(
      `baseline: static table (200 rows × ${siteCount} sites, no script), ${step} px a frame: ${describe(tableFrames)}`,
    );
    console.log(
      `matrix scrolling all ${imageCount} rows then all ${siteCount} sites, ${step} px a frame: ${describe(matrixFrames)}`,
    );
    console.log(
      `matrix / static table: work a frame ${(matrixFrames.work / tableFrames.work).toFixed(2)}×, ` +
        `interval median ${(matrixFrames.median / tableFrames.median).toFixed(2)}×, ` +
        `p95 ${(matrixFrames.p95 / tableFrames.p95).toFixed(2)}× — target median ≤ ${ms(frameBudget)}: ` +
        `${matrixFrames.median <= frameBudget + 1 ? 'met' : 'MISSED'}`,
    );
  } finally {
    await browser.close();
    await api.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
