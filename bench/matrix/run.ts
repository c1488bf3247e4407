/**
 * bench/matrix: the control plane at the size the issue names. Seeds 2,000 logical images × 50
 * sites (100,000 cells) for the sandbox's demo user into a database of its own, then times, through
 * the real API (in-process requests, real PostgreSQL and Redis):
 *
 * - GET /api/v1/matrix, a page of 50 rows by default (median and p95; target: median ≤ 250 ms);
 * - POST /api/v1/plan and PUT /api/v1/placements of 10,000 cell changes (target: apply ≤ 3 s);
 * - a standing rule changed to cover all 2,000 images: its preview (the plan, target ≤ 1 s) and
 *   its save (plan, evaluation of every rule into placements, all in one transaction).
 *
 * With BENCH_PROJECTS projects seeded alike (default 3; the others' rows are what every query must
 * leave out) and BENCH_RULES standing rules in each (default 20), sites labelled and copies carrying
 * properties for them to select.
 *
 *   npm run bench:matrix      # needs PostgreSQL, Redis and the sandbox (for the login)
 *   BENCH_IMAGES=2000 BENCH_SITES=50 BENCH_RUNS=50 BENCH_PAGE=50 BENCH_PROJECTS=3 BENCH_RULES=20 npm run bench:matrix
 */
import { performance } from 'node:perf_hooks';
import { ms, percentile, seededApi, type SeededApi } from './seeded-api';

const imageCount = Number(process.env.BENCH_IMAGES ?? 2000);
const siteCount = Number(process.env.BENCH_SITES ?? 50);
const runs = Number(process.env.BENCH_RUNS ?? 50);
const pageSize = Number(process.env.BENCH_PAGE ?? 50);
const projectCount = Number(process.env.BENCH_PROJECTS ?? 3);
const ruleCount = Number(process.env.BENCH_RULES ?? 20);
const changeCount = 10_000;

type Inject = SeededApi['server']['inject'];

/** Times a rule changed to cover every image: previewed `runs` times, then saved and saved back. */
async function timeRuleChange(inject: Inject, headers: Record<string, string>): Promise<void> {
  const wide = {
    images: { names: ['image-*'] },
    sites: { labels: { experiment: 'atlas' } },
    prune: true,
  };
  const timings: number[] = [];
  let copies = 0;
  const previews = Math.min(runs, 10);
  // The API process's own CPU, which a loaded machine does not inflate as it does wall time.
  const cpu = process.cpuUsage();
  for (let i = 0; i < previews; i++) {
    const begun = performance.now();
    const response = await inject({
      method: 'POST',
      url: '/api/v1/rules/rule-00/preview',
      headers,
      payload: wide,
    });
    timings.push(performance.now() - begun);
    if (response.statusCode !== 200) throw new Error(`preview: ${response.body}`);
    copies = response.json<{ copies: unknown[] }>().copies.length;
  }
  const used = process.cpuUsage(cpu);
  const median = percentile(timings, 0.5);
  console.log(
    `POST /api/v1/rules/rule-00/preview, a rule over all ${imageCount} images: median ${ms(median)} ` +
      `(${copies} copies planned; API CPU ${ms((used.user + used.system) / 1000 / previews)} per preview) — ` +
      `target ≤ 1 s: ${median <= 1000 ? 'met' : 'MISSED'}`,
  );
  for (const [what, body] of [
    ['saving it', wide],
    ['saving it back', { images: { names: ['image-0*'] }, sites: { labels: { tier: 'gold' } } }],
  ] as const) {
    const begun = performance.now();
    const saved = await inject({
      method: 'PUT',
      url: '/api/v1/rules/rule-00',
      headers,
      payload: body,
    });
    if (saved.statusCode !== 200) throw new Error(`save: ${saved.body}`);
    const { plan } = saved.json<{ plan: { copies: unknown[]; deletes: unknown[] } }>();
    console.log(
      `PUT /api/v1/rules/rule-00, ${what} (plan, evaluation of ${ruleCount} rules, placements written): ` +
        `${ms(performance.now() - begun)} (${plan.copies.length} copies, ${plan.deletes.length} deletes)`,
    );
  }
}

async function main(): Promise<void> {
  const { server, db, cookie, headers, close } = await seededApi({
    images: imageCount,
    sites: siteCount,
    projects: projectCount,
    rules: ruleCount,
    postgres: process.env.BENCH_POSTGRES,
    redis: process.env.BENCH_REDIS,
  });
  try {
    let started = performance.now();
    /** Times `runs` calls of `path`; the baseline and the matrix are measured alike. */
    const timeGets = async (path: (i: number) => string): Promise<number[]> => {
      const timings: number[] = [];
      for (let i = 0; i < runs; i++) {
        const begun = performance.now();
        const response = await server.inject({ method: 'GET', url: path(i), headers: { cookie } });
        timings.push(performance.now() - begun);
        if (response.statusCode !== 200) throw new Error(`${path(i)}: ${response.body}`);
      }
      return timings;
    };
    // The baseline: an authenticated call that reads no matrix data, i.e. the API's own floor.
    const floor = percentile(await timeGets(() => '/api/v1/me'), 0.5);
    const timings = await timeGets(
      (i) => `/api/v1/matrix?limit=${pageSize}&offset=${(i * pageSize) % imageCount}`,
    );
    const median = percentile(timings, 0.5);
    console.log(`baseline GET /api/v1/me, ${runs} runs: median ${ms(floor)}`);
    console.log(
      `GET /api/v1/matrix (${pageSize} rows × ${siteCount} columns), ${runs} runs: median ${ms(median)} ` +
        `(${(median / floor).toFixed(1)}× the baseline), p95 ${ms(percentile(timings, 0.95))} — ` +
        `target median ≤ 250 ms: ${median <= 250 ? 'met' : 'MISSED'}`,
    );
    const filtered = performance.now();
    await server.inject({
      method: 'GET',
      url: '/api/v1/matrix?conflicts=true&name=image-0',
      headers: { cookie },
    });
    console.log(
      `GET /api/v1/matrix?conflicts=true&name=image-0: ${ms(performance.now() - filtered)}`,
    );

    const labelled = performance.now();
    const columns = await server.inject({
      method: 'GET',
      url: `/api/v1/matrix?limit=${pageSize}&label=experiment=atlas`,
      headers: { cookie },
    });
    console.log(
      `GET /api/v1/matrix?label=experiment=atlas (${columns.json<{ columns: unknown[] }>().columns.length} columns): ${ms(performance.now() - labelled)}`,
    );
    if (ruleCount > 0) await timeRuleChange(server.inject.bind(server), headers);

    // 10,000 changes: 200 images wanted on all 50 sites (copies where missing).
    const { rows: chosen } = await db.query<{ image: string; site: string }>(
      `WITH demo AS (SELECT id FROM projects WHERE keystone_project_id IS NOT NULL)
       SELECT i.id AS image, s.id AS site
       FROM (SELECT id FROM images WHERE owner_id = (TABLE demo) ORDER BY name, id LIMIT $1) i
       CROSS JOIN sites s WHERE s.owner_id = (TABLE demo) LIMIT $2`,
      [Math.ceil(changeCount / siteCount), changeCount],
    );
    const changes = { changes: chosen.map((c) => ({ ...c, wanted: true })) };
    started = performance.now();
    const plan = await server.inject({
      method: 'POST',
      url: '/api/v1/plan',
      headers,
      payload: changes,
    });
    const planMs = performance.now() - started;
    if (plan.statusCode !== 200) throw new Error(`plan: ${plan.body}`);
    const planned = plan.json<{ copies: unknown[]; unchanged: number; refusals: unknown[] }>();
    console.log(
      `POST /api/v1/plan of ${chosen.length} changes: ${ms(planMs)} (${planned.copies.length} copy jobs, ${planned.unchanged} unchanged, ${planned.refusals.length} refused)`,
    );
    started = performance.now();
    const apply = await server.inject({
      method: 'PUT',
      url: '/api/v1/placements',
      headers,
      payload: changes,
    });
    const applyMs = performance.now() - started;
    if (apply.statusCode !== 200) throw new Error(`apply: ${apply.body}`);
    const copyQueue = server.queues.queue('copy');
    console.log(
      `PUT /api/v1/placements of ${chosen.length} changes: ${ms(applyMs)}, ${apply.json<{ jobs: unknown[] }>().jobs.length} jobs enqueued (${await copyQueue.getWaitingCount()} waiting) — target ≤ 3 s: ${applyMs <= 3000 ? 'met' : 'MISSED'}`,
    );
    started = performance.now();
    const again = await server.inject({
      method: 'PUT',
      url: '/api/v1/placements',
      headers,
      payload: changes,
    });
    console.log(
      `the same apply again: ${ms(performance.now() - started)}, ${again.json<{ jobs: unknown[] }>().jobs.length} jobs enqueued`,
    );
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
