import { Command, Option } from 'commander';
import type { Job, JobList } from '@glint/api/replies';
import { action, collect, examples } from '../command-kit';
import type { Context } from '../context';
import { CliError } from '../errors';
import { jobLabel, watchJobs } from '../job-watch';
import { findSite, listSites, resolveImage, resolveSites } from '../resolve';
import { renderTable } from '../table';
import { formatBytes } from '@glint/core/client';

const states = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const operations = ['copy', 'delete', 'inventory', 'upload', 'import'];

interface JobsOptions {
  state?: string;
  operation?: string;
  image?: string;
  site?: string;
  limit: string;
  watch?: boolean;
}

export function jobCommands(program: Command): void {
  examples(
    program
      .command('jobs')
      .summary('List your jobs, or follow those under way (--watch)')
      .description(
        'Your jobs, newest first. With --watch, follows every job under way (and any that starts meanwhile) ' +
          'with live progress bars from the event stream until none is left, then lists them; exits 1 if any failed.',
      )
      .addOption(new Option('--state <state>').choices(states))
      .addOption(new Option('--operation <operation>').choices(operations))
      .option('--image <image>', 'jobs of this image (name or id)')
      .option('--site <site>', 'jobs reading from or writing to this site (name or id)')
      .option('--limit <n>', 'how many', '50')
      .option('--watch', 'follow the jobs under way until they end')
      .action(action(listJobs)),
    [
      'glint jobs',
      'glint jobs --state failed',
      'glint jobs --watch',
      'glint jobs --site east --json',
    ],
  );
  examples(
    program
      .command('retry')
      .summary('Run a failed or cancelled job again')
      .description(
        'Run the failed or cancelled destinations of a job again, as a new job (with --site, only those).',
      )
      .argument('<job>', 'the job id, as glint place and glint jobs print it')
      .option('--site <site>', 'only this destination (repeatable, or comma-separated)', collect)
      .action(
        action(async (ctx: Context, id: string, options: { site?: string[] }) => {
          const client = await ctx.client();
          const sites = options.site
            ? (await resolveSites(client, options.site)).map((site) => site.id)
            : undefined;
          const job = await client.request<Job>('POST', `/jobs/${encodeURIComponent(id)}/retry`, {
            query: { site: sites },
          });
          ctx.result(job, () => `Queued ${jobLabel(job)} again as job ${job.id}.`);
        }),
      ),
    ['glint retry copy-6f1c2d9e-…', 'glint retry copy-6f1c2d9e-… --site west'],
  );
  examples(
    program
      .command('cancel')
      .summary('Cancel a job')
      .description(
        'Cancel a job: a queued one ends at once; a running one is stopped by its daemon, which removes the half-made copies.',
      )
      .argument('<job>', 'the job id, as glint place and glint jobs print it')
      .action(
        action(async (ctx: Context, id: string) => {
          const job = await (
            await ctx.client()
          ).request<Job>('POST', `/jobs/${encodeURIComponent(id)}/cancel`);
          ctx.result(job, () =>
            job.state === 'cancelled' ? `Cancelled job ${job.id}.` : `Job ${job.id} is stopping.`,
          );
        }),
      ),
    ['glint cancel copy-6f1c2d9e-…'],
  );
}

async function listJobs(ctx: Context, options: JobsOptions): Promise<void> {
  const client = await ctx.client();
  if (options.watch) {
    const abort = new AbortController();
    try {
      const events = await client.events(abort.signal);
      const rows = await watchJobs(client, { events, display: !ctx.json });
      ctx.result(rows, () => (rows.length ? jobRowsTable(rows) : 'No jobs under way.'));
      jobsOutcome(rows);
    } finally {
      abort.abort();
    }
    return;
  }
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new CliError(`--limit ${options.limit} is not a number from 1 to 500`);
  }
  const image = options.image ? (await resolveImage(client, options.image)).row.id : undefined;
  const site = options.site ? findSite(await listSites(client), options.site).id : undefined;
  const list = await client.get<JobList>('/jobs', {
    state: options.state,
    operation: options.operation,
    image,
    site,
    limit,
  });
  ctx.result(list, () =>
    list.jobs.length === 0
      ? 'No jobs.'
      : `${jobRowsTable(list.jobs)}${list.page.total > list.jobs.length ? `\n(${list.jobs.length} of ${list.page.total}; --limit for more)` : ''}`,
  );
}

/** A line per destination of each job, each with the job's id, so one id names the job everywhere. */
export function jobRowsTable(jobs: Job[]): string {
  return renderTable(
    ['JOB', 'OPERATION', 'IMAGE', 'FROM', 'TO', 'STATE', 'BYTES', 'CREATED', 'ERROR'],
    jobs.flatMap((job) =>
      job.parts.map((part) => [
        job.id,
        job.operation,
        job.imageName ?? job.imageId,
        job.sourceSiteId ? (job.sourceSiteName ?? job.sourceSiteId) : null,
        part.siteName ?? part.siteId,
        part.state,
        part.bytesTotal
          ? `${formatBytes(part.bytesDone, 'terminal')} / ${formatBytes(part.bytesTotal, 'terminal')}`
          : formatBytes(part.bytesDone, 'terminal'),
        job.createdAt,
        part.error,
      ]),
    ),
  );
}

/** After a wait: exit 1 when any job did not succeed. */
export function jobsOutcome(jobs: Job[]): void {
  const bad = jobs.filter((job) => job.state === 'failed' || job.state === 'cancelled');
  if (bad.length > 0) {
    throw new CliError(
      `${bad.length} of ${jobs.length} job${jobs.length === 1 ? '' : 's'} did not succeed (${bad.map((job) => `${job.id} ${job.state}`).join(', ')}): see the errors above; glint retry JOB runs one again`,
    );
  }
}
