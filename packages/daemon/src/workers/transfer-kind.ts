import type { CopyMethod, JobPayload, OutboundPolicy, Verification } from '@glint/core';
import type { CopyStages, TransferProgress } from '@glint/cloud-adapters';
import type { Repositories } from '@glint/store';
import type { SiteAdapters } from '../site-adapter';
import type { JobCells, JobFailure, StartedJob } from './lifecycle';

/** The kinds of job on the transfer queue: those that move image bytes onto sites. */
export type TransferKind = 'copy' | 'import';

/** How one destination of a transfer ended. */
export interface DestinationOutcome {
  siteId: string;
  /** The copy on the site, made now or found there. */
  cloudImageId?: string;
  bytes: number;
  /** How a copy was made, for the job history. */
  method?: CopyMethod;
  /** How a streamed copy's bytes were proven: by comparing the ends' digests, or hashed by Glint. */
  verification?: Verification;
  error?: JobFailure;
  /** When the copy passed each stage (epoch ms), the inventory's record of it last. */
  stages?: CopyStages & { inventoried?: number };
}

/** A finished transfer job's return value (the queue contract's `returnvalue`). */
export interface TransferOutcome {
  destinations: DestinationOutcome[];
}

/** One start of a transfer job, as its kind's code sees it. */
export interface TransferRun<K extends TransferKind> {
  repositories: Repositories;
  adapters: SiteAdapters;
  /** Where an import's URL and its redirects may lead. */
  outbound: OutboundPolicy;
  /** The engine's `rateLimit`: bytes per second the source may be read at. */
  bandwidthLimit?: number;
  started: StartedJob<K>;
  /** Aborts, with a StopReason, when the job is cancelled or handed back. */
  signal: AbortSignal;
  onProgress: (progress: TransferProgress) => void;
}

/** A kind of job that moves image bytes onto sites; each site it uses must give it a slot. */
export interface Transfer<K extends TransferKind> extends JobCells<K> {
  /** The site the bytes are read from; null when they come from elsewhere (a URL). */
  sourceSiteId(payload: JobPayload<K>): string | null;
  run(run: TransferRun<K>): Promise<DestinationOutcome[]>;
}
