/**
 * The API's replies as the panel reads them: the parts of packages/api/src/schemas it uses. Kept by
 * hand so the bundle needs nothing from the server's packages; the API's schemas are the reference.
 */

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
  selfHeal: 'off' | 'restore' | 'restore-and-prune';
  drift?: 'missing' | 'unwanted';
  cloudImageId: string | null;
  bytes?: number;
  bytesTotal?: number | null;
  bytesPerSecond?: number;
  /** Once the bytes are out and the site works on them itself (an EC2 import task). */
  stage?: 'importing';
  percent?: number;
  message?: string;
}

export interface MatrixRow {
  id: string;
  name: string;
  size: number | null;
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

export interface PlanChange {
  image: string;
  site: string;
  wanted: boolean;
}

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
}

export interface Job {
  id: string;
  destinationSiteId: string | null;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  error: string | null;
}

export interface LoginReply {
  user: { name: string };
  csrfToken: string;
}

/** What GET /api/v1/events sends: the events the API and the daemons publish. */
export type { GlintEvent } from '@glint/core';
