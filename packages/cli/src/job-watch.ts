import type { ApiClient } from './api-client';
import type { GlintEvent, Job, JobList, JobState } from './api-types';
import { CliError } from './errors';
import { ProgressDisplay, type ProgressLine } from './progress-display';
import { listImages, listSites } from './resolve';
import type { ServerSentEvent } from './sse';

/** A queue job (a fanned-out copy is one, with a row per destination) as the watch sees it. */
export interface WatchedJob {
  queueJobId: string;
  operation: string;
  state: JobState;
  imageId: string | null;
  siteIds: string[];
  bytes: number;
  bytesTotal: number | null;
  bytesPerSecond?: number;
  error?: string;
}

const open = (state: JobState) => state === 'queued' || state === 'running';

/** The queue jobs of job rows: open while any row is, else failed if any row failed. */
export function queueJobsOf(rows: Job[]): Map<string, WatchedJob> {
  const jobs = new Map<string, WatchedJob>();
  const rank: Record<JobState, number> = {
    running: 4,
    queued: 3,
    failed: 2,
    cancelled: 1,
    succeeded: 0,
  };
  for (const row of rows) {
    const sites = [row.sourceSiteId, row.destinationSiteId].filter((s): s is string => s !== null);
    const job = jobs.get(row.queueJobId);
    if (!job) {
      jobs.set(row.queueJobId, {
        queueJobId: row.queueJobId,
        operation: row.operation,
        state: row.state,
        imageId: row.imageId,
        siteIds: sites,
        bytes: row.bytesDone,
        bytesTotal: row.bytesTotal,
        ...(row.error ? { error: row.error } : {}),
      });
      continue;
    }
    if (rank[row.state] > rank[job.state]) job.state = row.state;
    for (const site of sites) if (!job.siteIds.includes(site)) job.siteIds.push(site);
    job.bytes = Math.max(job.bytes, row.bytesDone);
    job.bytesTotal = job.bytesTotal ?? row.bytesTotal;
    job.error ??= row.error ?? undefined;
  }
  return jobs;
}

/** Jobs to wait for: these queue jobs, or (`undefined`) whatever is open now or starts meanwhile. */
export interface WatchOptions {
  queueJobIds?: string[];
  /** The caller's event stream, opened before the jobs were asked for so no event is missed. */
  events: AsyncGenerator<ServerSentEvent>;
  /** Show progress on stderr. */
  display: boolean;
  /** How often the job list is read again, in case the stream missed something. */
  resyncMs?: number;
}

/** Follows jobs to their end from the SSE stream; returns the job rows of the watched queue jobs. */
export async function watchJobs(client: ApiClient, options: WatchOptions): Promise<Job[]> {
  const { events, resyncMs = 5000 } = options;
  const followAll = options.queueJobIds === undefined;
  const watched = new Set(options.queueJobIds ?? []);
  const jobs = new Map<string, WatchedJob>();
  const labels = new JobLabels(client);
  const display = options.display ? new ProgressDisplay() : undefined;

  const resync = async () => {
    const rows = await recentJobs(client);
    for (const [id, job] of queueJobsOf(rows)) {
      if (followAll && open(job.state) && !jobs.has(id)) watched.add(id);
      const seen = jobs.get(id);
      // The stream's rate is fresher than the table's; keep it while the job runs.
      jobs.set(id, {
        ...job,
        ...(seen?.bytesPerSecond ? { bytesPerSecond: seen.bytesPerSecond } : {}),
      });
    }
  };
  const finished = () => [...watched].every((id) => jobs.has(id) && !open(jobs.get(id)!.state));
  const draw = async () => {
    if (!display) return;
    const shown = [...watched].map((id) => jobs.get(id)).filter((j): j is WatchedJob => !!j);
    await labels.learn(shown);
    display.update(shown.map((job) => labels.line(job)));
  };

  await resync();
  await draw();
  let next = events.next();
  let timer: NodeJS.Timeout | undefined;
  try {
    while (!finished()) {
      const tick = new Promise<'tick'>(
        (resolve) => (timer = setTimeout(() => resolve('tick'), resyncMs)),
      );
      const got = await Promise.race([next, tick]);
      clearTimeout(timer);
      if (got === 'tick') {
        await resync();
      } else if (got.done) {
        throw new CliError(
          'the API closed the event stream: run glint jobs --watch to follow the rest',
        );
      } else {
        next = events.next();
        const event = JSON.parse(got.value.data) as GlintEvent;
        if (event.type !== 'job') continue;
        if (followAll && open(event.state)) watched.add(event.queueJobId);
        if (!watched.has(event.queueJobId)) continue;
        const known = jobs.get(event.queueJobId);
        jobs.set(event.queueJobId, {
          bytesTotal: null,
          ...known,
          queueJobId: event.queueJobId,
          operation: event.operation,
          state: event.state,
          imageId: event.imageId,
          siteIds: known?.siteIds.length ? known.siteIds : event.siteIds,
          bytes: event.bytes ?? known?.bytes ?? 0,
          ...(event.bytesPerSecond !== undefined ? { bytesPerSecond: event.bytesPerSecond } : {}),
          ...(event.error ? { error: event.error } : {}),
        });
        // A job's first event may come before its row's total is known to us.
        if (!known) await resync();
      }
      await draw();
    }
  } finally {
    clearTimeout(timer);
    await events.return(undefined);
  }
  // The final word is the job table's: a fan-out copy may have failed on one destination only.
  const rows = (await recentJobs(client)).filter((row) => watched.has(row.queueJobId));
  return rows;
}

async function recentJobs(client: ApiClient): Promise<Job[]> {
  return (await client.get<JobList>('/jobs', { limit: 500 })).jobs;
}

/** Names for job lines: the sites' and images' names instead of their ids. */
export class JobLabels {
  private sites?: Map<string, string>;
  private readonly images = new Map<string, string>();

  constructor(private readonly client: ApiClient) {}

  async learn(jobs: { imageId: string | null; siteIds?: string[] }[]): Promise<void> {
    this.sites ??= new Map((await listSites(this.client)).map((s) => [s.id, s.name]));
    const unknown = [
      ...new Set(
        jobs.map((j) => j.imageId).filter((id): id is string => !!id && !this.images.has(id)),
      ),
    ];
    if (unknown.length === 0) return;
    for (const row of (await listImages(this.client, { image: unknown })).rows) {
      this.images.set(row.id, row.name);
    }
    for (const id of unknown) if (!this.images.has(id)) this.images.set(id, id);
  }

  site(id: string | null): string {
    return id ? (this.sites?.get(id) ?? id) : '-';
  }

  image(id: string | null): string {
    return id ? (this.images.get(id) ?? id) : '-';
  }

  line(job: WatchedJob): ProgressLine {
    return {
      key: job.queueJobId,
      label: `${job.operation} ${this.image(job.imageId)} (${job.siteIds.map((s) => this.site(s)).join(', ')})`,
      state: job.state,
      progress: { bytes: job.bytes, total: job.bytesTotal, bytesPerSecond: job.bytesPerSecond },
    };
  }
}
