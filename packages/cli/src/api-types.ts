/**
 * The API's replies as the CLI reads them: the parts of packages/api/src/schemas it uses, kept by
 * hand so the CLI needs nothing from the server's packages. The API's schemas are the reference.
 */

import type { Job } from '@glint/core';

export interface Me {
  id: string;
  name: string;
  domain: string;
  project: { id: string; name: string } | null;
  /** What the user may do in the project: reader, member or admin; null when no role gives rights. */
  role: 'reader' | 'member' | 'admin' | null;
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

/** GET /api/v1/jobs: jobs, each with a part per destination. */
export type { Job, JobOperation, JobPart, JobState } from '@glint/core';
