import type { SiteType } from '@glint/core';

/** A site's configuration in its type's terms, as stored: everything but the credential. */
export type SiteConfig = Record<string, unknown>;

/**
 * What the reconciler may do on its own where a cell drifted from the desired state: only show it,
 * restore wanted copies, or also delete unwanted ones.
 */
export type SelfHeal = 'off' | 'restore' | 'restore-and-prune';

/** A site as the API shows it: the credential only as who logs in and when that last worked. */
export interface SiteRecord {
  id: string;
  type: SiteType;
  name: string;
  config: SiteConfig;
  selfHeal: SelfHeal;
  /** Key → value, for standing rules' site selectors and the matrix's column filter. */
  labels: Record<string, string>;
  /** When the last inventory of the site finished; null before the first. */
  inventoriedAt: string | null;
  credential: ({ kind: string; validatedAt: string } & Record<string, unknown>) | null;
  /** The account the site is a region of, when it is one. */
  account: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
}
