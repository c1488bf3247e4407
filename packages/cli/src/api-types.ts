/**
 * The API's replies as the CLI reads them: the parts of packages/api/src/schemas it uses, kept by
 * hand so the CLI needs nothing from the server's packages. The API's schemas are the reference.
 */

export interface Me {
  id: string;
  name: string;
  domain: string;
  project: { id: string; name: string } | null;
  isAdmin: boolean;
  expiresAt: string;
}

export interface Site {
  id: string;
  type: string;
  name: string;
  config: Record<string, unknown> & { region?: string; authUrl?: string };
  selfHeal: string;
  inventoriedAt: string | null;
  credential: {
    kind: string;
    username?: string;
    accessKeyId?: string;
    validatedAt: string;
  } | null;
  /** The EC2 account the site is a region of. */
  account: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
  warnings?: string[];
}

/** An EC2 account: its settings (never the keys) and its enabled regions, each a site. */
export interface Account {
  id: string;
  type: 'ec2';
  name: string;
  settings: Record<string, unknown>;
  regions: { region: string; siteId: string; name: string }[];
  createdAt: string;
  updatedAt: string;
}

/** An account with every region AWS lists for it, asked live. */
export interface AccountDetail extends Account {
  availableRegions: { region: string; optInStatus: string; usable: boolean; enabled: boolean }[];
}

export interface SiteHealth {
  ok: boolean;
  latencyMs: number;
  detail: string;
  checkedAt: string;
}

export type CellState =
  | 'present'
  | 'missing'
  | 'queued'
  | 'transferring'
  | 'deleting'
  | 'error'
  | 'conflict'
  | 'unmanaged';

export interface MatrixCell {
  siteId: string;
  state: CellState;
  wanted: boolean | null;
  cloudImageId: string | null;
  bytes?: number;
  bytesTotal?: number | null;
  bytesPerSecond?: number;
  message?: string;
}

export interface MatrixRow {
  id: string;
  name: string;
  hash: { algo: string; value: string } | null;
  size: number | null;
  diskFormat: string | null;
  containerFormat: string | null;
  visibilities: string[];
  conflict: boolean;
  cells: MatrixCell[];
}

export interface MatrixColumn {
  id: string;
  name: string;
  type: string;
  region: string | null;
}

export interface Matrix {
  columns: MatrixColumn[];
  rows: MatrixRow[];
  page: { offset: number; limit: number; total: number };
}

export type PlanBody =
  | { changes: { image: string; site: string; wanted: boolean }[]; force?: boolean }
  | { desired: { image: string; sites: string[] }[]; force?: boolean };

export interface Plan {
  copies: {
    imageId: string;
    source: { siteId: string; cloudImageId: string };
    destinations: string[];
    bytes: number | null;
  }[];
  deletes: { imageId: string; siteId: string; cloudImageId: string }[];
  refusals: { imageId: string; siteId: string; wanted: boolean; reason: string; message: string }[];
  unchanged: number;
  bytes: number;
  /** The name of every image and site the plan names, by id. */
  names: { images: Record<string, string>; sites: Record<string, string> };
}

export interface Applied extends Plan {
  jobs: { id: string; operation: 'copy' | 'delete' }[];
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One destination of a job (a delete's only site). */
export interface JobPart {
  siteId: string | null;
  siteName: string | null;
  state: JobState;
  attempts: number;
  bytesDone: number;
  bytesTotal: number | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A job: one id in every reply, event and command, with a part per destination. */
export interface Job {
  id: string;
  operation: string;
  state: JobState;
  imageId: string | null;
  imageName: string | null;
  sourceSiteId: string | null;
  sourceSiteName: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  parts: JobPart[];
}

export interface JobList {
  jobs: Job[];
  page: { offset: number; limit: number; total: number };
}

export interface Uploaded {
  bytes: number;
  contentHash: { algo: string; value: string } | null;
  sites: {
    siteId: string;
    outcome: 'copied' | 'failed';
    cloudImageId: string | null;
    error: string | null;
  }[];
}

export type Imported =
  | { status: 'queued'; jobId: string }
  | { status: 'present'; message: string; images: { id: string; name: string }[] };

/** What GET /api/v1/events sends. */
export type { GlintEvent } from '@glint/core';
