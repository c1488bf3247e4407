import type { CopyCapabilities, SiteType } from '@glint/core';
import type { AdapterContext, CloudAdapter } from './adapter';

/**
 * Adapter factories keyed by site type. Each adapter module registers itself; callers ask for an
 * adapter by the site's type and never branch on it themselves.
 */
export type AdapterFactory<Config = unknown, Credential = unknown> = (
  config: Config,
  credential: Credential,
  context: AdapterContext,
) => CloudAdapter;

const factories = new Map<SiteType, AdapterFactory>();
const capabilities = new Map<SiteType, CopyCapabilities>();

export function registerAdapter<Config, Credential>(
  type: SiteType,
  factory: AdapterFactory<Config, Credential>,
  copying: CopyCapabilities,
): void {
  if (factories.has(type))
    throw new Error(`an adapter for site type "${type}" is already registered`);
  factories.set(type, factory as AdapterFactory);
  capabilities.set(type, copying);
}

/** How a site type's images can be copied, for the planner. */
export function copyCapabilities(type: SiteType): CopyCapabilities {
  const found = capabilities.get(type);
  if (!found) throw new Error(`no adapter is registered for site type "${type}"`);
  return found;
}

export function createAdapter(
  type: SiteType,
  config: unknown,
  credential: unknown,
  context: AdapterContext,
): CloudAdapter {
  const factory = factories.get(type);
  if (!factory) {
    const known = [...factories.keys()].join(', ') || 'none';
    throw new Error(`no adapter is registered for site type "${type}" (registered: ${known})`);
  }
  return factory(config, credential, context);
}

export function registeredSiteTypes(): SiteType[] {
  return [...factories.keys()];
}
