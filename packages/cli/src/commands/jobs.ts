import { Command, Option } from 'commander';
import type { Job, JobList } from '../api-types';
import { action, examples } from '../command-kit';
import type { Context } from '../context';
import { CliError } from '../errors';
import { JobLabels, watchJobs } from '../job-watch';
import type { Names } from '../plan-view';
import { findSite, listSites, resolveImage } from '../resolve';
import { renderTable } from '../table';
import { formatBytes } from '../units';

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
      .description('Run a failed or cancelled job again, as a new job.')
      .argument('<job>', 'the job id (glint jobs)')
      .action(
        action(async (ctx: Context, id: string) => {
          const job = await (
            await ctx.client()
          ).request<Job>('POST', `/jobs/${encodeURIComponent(id)}/retry`);
          ctx.result(job, () => `Queued ${job.operation} job ${job.id} (${job.queueJobId}) again.`);
        }),
      ),
    ['glint retry 6f1c2d9e-…'],
  );
  examples(
    program
      .command('cancel')
      .summary('Cancel a job')
      .description(
        'Cancel a job: a queued one ends at once; a running one is stopped by its daemon, which removes the half-made copies.',
      )
      .argument('<job>', 'the job id (glint jobs)')
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
    ['glint cancel 6f1c2d9e-…'],
  );
}

async function listJobs(ctx: Context, options: JobsOptions): Promise<void> {
  const client = await ctx.client();
  const labels = new JobLabels(client);
  if (options.watch) {
    const abort = new AbortController();
    try {
      const events = await client.events(abort.signal);
      const rows = await watchJobs(client, { events, display: !ctx.json });
      await labels.learn(rows);
      ctx.result(rows, () => (rows.length ? jobRowsTable(rows, labels) : 'No jobs under way.'));
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
  await labels.learn(list.jobs);
  ctx.result(list, () =>
    list.jobs.length === 0
      ? 'No jobs.'
      : `${jobRowsTable(list.jobs, labels)}${list.page.total > list.jobs.length ? `\n(${list.jobs.length} of ${list.page.total}; --limit for more)` : ''}`,
  );
}

export function jobRowsTable(rows: Job[], names: Names): string {
  return renderTable(
    ['ID', 'OPERATION', 'IMAGE', 'FROM', 'TO', 'STATE', 'BYTES', 'CREATED', 'ERROR'],
    rows.map((job) => [
      job.id,
      job.operation,
      job.imageId ? names.image(job.imageId) : null,
      job.sourceSiteId ? names.site(job.sourceSiteId) : null,
      job.destinationSiteId ? names.site(job.destinationSiteId) : null,
      job.state,
      job.bytesTotal
        ? `${formatBytes(job.bytesDone)} / ${formatBytes(job.bytesTotal)}`
        : formatBytes(job.bytesDone),
      job.createdAt,
      job.error,
    ]),
  );
}

/** After a wait: exit 1 when any job did not succeed. */
export function jobsOutcome(rows: Job[]): void {
  const bad = rows.filter((row) => row.state === 'failed' || row.state === 'cancelled');
  if (bad.length > 0) {
    throw new CliError(
      `${bad.length} of ${rows.length} job${rows.length === 1 ? '' : 's'} did not succeed (${bad.map((r) => `${r.id} ${r.state}`).join(', ')}): see the errors above; glint retry JOB runs one again`,
    );
  }
}
