import type { OutboundPolicy, SiteType } from '@glint/core';
import {
  createAdapter,
  findSiteType,
  type AnyCredential,
  type CloudAdapter,
  type SiteTypeEntry,
} from '@glint/cloud-adapters';
import type { SiteConfig } from '@glint/store';
import { ApiError } from './errors';

export type { SiteConfig } from '@glint/store';

/** A site credential in its type's terms, `kind` included. */
export type SiteCredential = AnyCredential;

/** A site as a user describes it, before it is checked and stored. */
export interface SiteDraft {
  type: SiteType;
  name: string;
  config: SiteConfig;
  credential: SiteCredential;
}

/** The site type as its adapter folder describes it (@glint/cloud-adapters' registry). */
export function siteTypeOf(type: string): SiteTypeEntry {
  const entry = findSiteType(type);
  if (!entry)
    throw new ApiError(400, 'unsupported_site_type', `Glint cannot use ${type} sites yet`);
  return entry;
}

export function withDefaults(type: SiteType, config: SiteConfig): SiteConfig {
  return { ...siteTypeOf(type).configDefaults, ...config };
}

/** A credential split into who logs in, which may be shown, and the secrets, which may not. */
export function splitCredential(
  type: SiteType,
  credential: SiteCredential,
): { principal: Record<string, unknown>; secrets: string[] } {
  return siteTypeOf(type).splitCredential(credential);
}

/** The site's adapter; every connection it makes, to the site and where the site points, is under `outbound`. */
export function siteAdapter(
  type: SiteType,
  config: SiteConfig,
  credential: SiteCredential,
  outbound: OutboundPolicy,
): CloudAdapter {
  return createAdapter(type, { ...config, type }, credential, { outbound });
}
