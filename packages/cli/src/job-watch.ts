import type { ApiClient } from './api-client';
import type { GlintEvent } from '@glint/core';
import type { Job, JobList, JobState } from '@glint/api/replies';
import { CliError } from './errors';
import { ProgressDisplay, type ProgressLine } from './progress-display';
import type { ServerSentEvent } from './sse';

/** A job as the watch sees it: its latest state and progress, from the list and the events. */
export interface WatchedJob {
  id: string;
  state: JobState;
  /** "copy cirros (cloud1 → cloud2, cloud3)". */
  label: string;
  bytes: number;
  bytesTotal: number | null;
  bytesPerSecond?: number;
  error?: string;
}

const open = (state: JobState) => state === 'queued' || state === 'running';

/** The names a job line shows: its image, and its sites (the source, then the destinations). */
export function jobLabel(job: Job): string {
  const site = (name: string | null, id: string | null) => name ?? id ?? 'a removed site';
  const destinations = job.parts.map((part) => site(part.siteName, part.siteId)).join(', ');
  const route = job.sourceSiteId
    ? `${site(job.sourceSiteName, job.sourceSiteId)} → ${destinations}`
    : destinations;
  return `${job.operation} ${job.imageName ?? job.imageId ?? '-'} (${route})`;
}

/** What the watch keeps of a listed job. */
export function watchedJob(job: Job): WatchedJob {
  const error = job.parts.find((part) => part.error)?.error;
  return {
    id: job.id,
    state: job.state,
    label: jobLabel(job),
    bytes: Math.max(0, ...job.parts.map((part) => part.bytesDone)),
    bytesTotal: job.parts.find((part) => part.bytesTotal !== null)?.bytesTotal ?? null,
    ...(error ? { error } : {}),
  };
}

/** Jobs to wait for: these queue jobs, or (`undefined`) whatever is open now or starts meanwhile. */
export interface WatchOptions {
  jobIds?: string[];
  /** The caller's event stream, opened before the jobs were asked for so no event is missed. */
  events: AsyncGenerator<ServerSentEvent>;
  /** Show progress on stderr. */
  display: boolean;
  /** How often the job list is read again, in case the stream missed something. */
  resyncMs?: number;
}

/** Follows jobs to their end from the SSE stream; returns the watched jobs as the list has them. */
export async function watchJobs(client: ApiClient, options: WatchOptions): Promise<Job[]> {
  const { events, resyncMs = 5000 } = options;
  const followAll = options.jobIds === undefined;
  const watched = new Set(options.jobIds ?? []);
  const jobs = new Map<string, WatchedJob>();
  const display = options.display ? new ProgressDisplay() : undefined;

  const resync = async () => {
    for (const row of await recentJobs(client)) {
      if (followAll && open(row.state) && !jobs.has(row.id)) watched.add(row.id);
      const seen = jobs.get(row.id);
      // The stream's rate is fresher than the list's; keep it while the job runs.
      jobs.set(row.id, {
        ...watchedJob(row),
        ...(seen?.bytesPerSecond ? { bytesPerSecond: seen.bytesPerSecond } : {}),
      });
    }
  };
  const finished = () => [...watched].every((id) => jobs.has(id) && !open(jobs.get(id)!.state));
  const draw = async () => {
    if (!display) return;
    const shown = [...watched].map((id) => jobs.get(id)).filter((j): j is WatchedJob => !!j);
    display.update(shown.map(progressLine));
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
          label: `${event.operation} ${event.queueJobId}`,
          bytesTotal: null,
          ...known,
          id: event.queueJobId,
          state: event.state,
          bytes: event.bytes ?? known?.bytes ?? 0,
          ...(event.bytesPerSecond !== undefined ? { bytesPerSecond: event.bytesPerSecond } : {}),
          ...(event.error ? { error: event.error } : {}),
        });
        // A job's first event may come before its names and total are known to us.
        if (!known) await resync();
      }
      await draw();
    }
  } finally {
    clearTimeout(timer);
    // The read under way ends when the caller aborts the stream; awaiting it here would wait for
    // the next heartbeat, and its rejection then is expected.
    next.catch(() => {});
  }
  // The final word is the job list's: a fan-out copy may have failed on one destination only.
  return (await recentJobs(client)).filter((row) => watched.has(row.id));
}

async function recentJobs(client: ApiClient): Promise<Job[]> {
  return (await client.get<JobList>('/jobs', { limit: 500 })).jobs;
}

function progressLine(job: WatchedJob): ProgressLine {
  return {
    key: job.id,
    label: job.label,
    state: job.state,
    progress: { bytes: job.bytes, total: job.bytesTotal, bytesPerSecond: job.bytesPerSecond },
  };
}
