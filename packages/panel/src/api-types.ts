/**
 * The API's replies as the panel reads them: the parts of packages/api/src/schemas it uses. Kept by
 * hand so the bundle needs nothing from the server's packages; the API's schemas are the reference.
 */

import type { Job } from '@glint/core';

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
  /** While the site works on the copy itself: an EC2 import task, or an AMI copied by EC2. */
  stage?: 'importing' | 'copying';
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
  /** The name of every image and site the plan names, by id. */
  names: { images: Record<string, string>; sites: Record<string, string> };
}

export interface JobList {
  jobs: Job[];
  page: { offset: number; limit: number; total: number };
}

export type SelfHeal = 'off' | 'restore' | 'restore-and-prune';

export interface Site {
  id: string;
  type: string;
  name: string;
  config: { authUrl?: string; region?: string; projectName?: string } & Record<string, unknown>;
  selfHeal: SelfHeal;
  inventoriedAt: string | null;
  credential: {
    kind: string;
    username?: string;
    userId?: string;
    id?: string;
    name?: string;
    accessKeyId?: string;
    validatedAt: string;
  } | null;
  /** The EC2 account the site is a region of. */
  account: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** An EC2 account: its keys' settings (never the keys) and its enabled regions, each a site. */
export interface Account {
  id: string;
  type: 'ec2';
  name: string;
  settings: {
    roleArn?: string;
    endpoints?: { ec2?: string; s3?: string; sts?: string };
  } & Record<string, unknown>;
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

type Hash = { algo: string; value: string } | null;

export interface ImageDetails {
  id: string;
  name: string;
  hash: Hash;
  size: number | null;
  diskFormat: string | null;
  containerFormat: string | null;
  visibilities: string[];
  conflict: boolean;
  related: string[];
  sites: {
    siteId: string;
    siteName: string;
    state: CellState;
    wanted: boolean | null;
    message?: string;
    copies: {
      cloudImageId: string;
      name: string;
      status: string;
      hash: Hash;
      checksum: string | null;
      size: number | null;
      diskFormat: string | null;
      containerFormat: string | null;
      visibility: string;
      protected: boolean;
      cloudOwner: string | null;
      glintSourceSite: string | null;
      glintSourceImage: string | null;
      glintContentHash: string | null;
      seenAt: string;
    }[];
  }[];
}

export interface Uploaded {
  bytes: number;
  contentHash: Hash;
  sites: {
    siteId: string;
    outcome: 'copied' | 'failed';
    cloudImageId: string | null;
    error: string | null;
  }[];
}

/** Who is logged in (GET /me; the user of a login or session reply). */
export interface Me {
  name: string;
  domain: string;
  project: { id: string; name: string } | null;
}

export interface LoginReply {
  user: Me;
  csrfToken: string;
}

/** GET /auth/session: whether this browser has a session; never a 401. */
export type SessionReply = { authenticated: false } | ({ authenticated: true } & LoginReply);

/** What GET /api/v1/events sends: the events the API and the daemons publish. */
export type { GlintEvent } from '@glint/core';

/** GET /api/v1/jobs: jobs, each with a part per destination. */
export type { Job, JobOperation, JobPart, JobState } from '@glint/core';

/** GET /history/transfers: finished transfers per hour (UTC), oldest first. */
export interface TransferHistory {
  hours: { hour: string; succeeded: number; failed: number; cancelled: number }[];
}

/** GET /history/sites/:id: a site's traffic and jobs per hour, and its inventories. */
export interface SiteHistory {
  hours: { hour: string; bytesIn: number; bytesOut: number; succeeded: number; failed: number }[];
  inventory: { hour: string; images: number; bytes: number }[];
}
