import type { ApiClient } from '../../api-client';
import type { Applied, Plan, PlanBody } from '@glint/api/replies';
import type { Context } from '../../context';
import { CliError } from '../../errors';
import { watchJobs } from '../../job-watch';
import { renderApplied } from '../../plan-view';
import { resolveImage, resolveSites } from '../../resolve';
import { jobRowsTable, jobsOutcome } from '../jobs';

export const waitHelp = 'follow the jobs with progress bars until they end; exit 1 if any fails';

/** Parts of a text for people, a blank line between those there are. */
export const joined = (...parts: string[]) => parts.filter(Boolean).join('\n\n');

/**
 * A section of a file (rules, families) as saved or previewed: the output's key for it (none
 * when the file has no such section), and text.
 */
export interface SectionOutcome {
  json: { rules?: unknown[]; families?: unknown[] };
  text: string;
}

/** A hand decision on cells of one image: wanted there, not wanted, or (null) the rules decide. */
export async function change(
  ctx: Context,
  imageRef: string,
  siteRefs: string[],
  /** null: no hand decision, the rules decide. */
  wanted: boolean | null,
  options: { force?: boolean; wait?: boolean },
): Promise<void> {
  const client = await ctx.client();
  const { row } = await resolveImage(client, imageRef);
  const sites = await resolveSites(client, siteRefs);
  const body: PlanBody = {
    changes: sites.map((site) => ({ image: row.id, site: site.id, wanted })),
    ...(options.force ? { force: true } : {}),
  };
  await applyBody(ctx, client, body, options.wait);
}

/** PUT /placements; with `wait`, the event stream is opened first so no job's end is missed. */
export async function applyBody(
  ctx: Context,
  client: ApiClient,
  body: PlanBody,
  wait: boolean | undefined,
  sections: SectionOutcome = { json: {}, text: '' },
): Promise<void> {
  const abort = new AbortController();
  try {
    const events = wait ? await client.events(abort.signal) : undefined;
    const applied = await client.request<Applied>('PUT', '/placements', { json: body });
    if (!events || applied.jobs.length === 0) {
      ctx.result({ ...applied, ...sections.json }, () =>
        joined(sections.text, renderApplied(applied)),
      );
      refusalsOutcome(applied);
      return;
    }
    if (!ctx.json) ctx.note(joined(sections.text, renderApplied(applied)));
    const rows = await watchJobs(client, {
      jobIds: applied.jobs.map((j) => j.id),
      events,
      display: !ctx.json,
    });
    ctx.result({ ...applied, ...sections.json, results: rows }, () => jobRowsTable(rows));
    refusalsOutcome(applied);
    jobsOutcome(rows);
  } finally {
    abort.abort();
  }
}

function refusalsOutcome(plan: Plan): void {
  if (plan.refusals.length > 0) {
    throw new CliError(
      `${plan.refusals.length} change${plan.refusals.length === 1 ? ' was' : 's were'} refused (see "! refused" above): ` +
        'a delete of the last copy needs --force; a copy needs a site that holds the image',
    );
  }
}
