import type { OutboundPolicy, SiteType } from '@glint/core';
import { createAdapter, type CloudAdapter } from '@glint/cloud-adapters';
import type { SiteConfig } from '@glint/store';
import { ApiError } from './errors';

export type { SiteConfig } from '@glint/store';

/** A site credential in its type's terms, `kind` included. */
export type SiteCredential = { kind: string } & Record<string, unknown>;

/** A site as a user describes it, before it is checked and stored. */
export interface SiteDraft {
  type: SiteType;
  name: string;
  config: SiteConfig;
  credential: SiteCredential;
}

/** What the API must know about each site type. Nothing else in it tells the types apart. */
interface SiteTypeTraits {
  /** Filled into a configuration that leaves them out. */
  configDefaults: SiteConfig;
  /** Credential fields holding secrets: stored only encrypted, never returned, never in a message. */
  secretFields: readonly string[];
}

const siteTypes: { readonly [T in SiteType]?: SiteTypeTraits } = {
  openstack: { configDefaults: { interface: 'public' }, secretFields: ['password', 'secret'] },
  ec2: { configDefaults: {}, secretFields: ['secretAccessKey', 'sessionToken'] },
};

function traitsOf(type: SiteType): SiteTypeTraits {
  const traits = siteTypes[type];
  if (!traits)
    throw new ApiError(400, 'unsupported_site_type', `Glint cannot use ${type} sites yet`);
  return traits;
}

export function withDefaults(type: SiteType, config: SiteConfig): SiteConfig {
  return { ...traitsOf(type).configDefaults, ...config };
}

/** A credential split into who logs in, which may be shown, and the secrets, which may not. */
export function splitCredential(
  type: SiteType,
  credential: SiteCredential,
): { principal: Record<string, unknown>; secrets: string[] } {
  const { secretFields } = traitsOf(type);
  const principal: Record<string, unknown> = {};
  const secrets: string[] = [];
  for (const [field, value] of Object.entries(credential)) {
    if (field === 'kind') continue;
    if (!secretFields.includes(field)) principal[field] = value;
    else if (typeof value === 'string' && value !== '') secrets.push(value);
  }
  return { principal, secrets };
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
