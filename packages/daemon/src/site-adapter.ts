import type { SiteType } from '@glint/core';
import { createAdapter, type CloudAdapter } from '@glint/cloud-adapters';
import type { CredentialCipher, Repositories } from '@glint/store';

/** A site was removed (or its credential) after its job was queued; retrying cannot help. */
export class SiteGoneError extends Error {
  constructor(siteId: string) {
    super(`site ${siteId} or its credential no longer exists`);
    this.name = 'SiteGoneError';
  }
}

/** An adapter for the owner's site, logged in with the stored credential. Close it when done. */
export async function openSiteAdapter(
  repositories: Repositories,
  cipher: CredentialCipher,
  ownerId: string,
  siteId: string,
): Promise<CloudAdapter> {
  const site = await repositories.sites.find(ownerId, siteId);
  const sealed = site && (await repositories.credentials.sealed(ownerId, siteId));
  if (!site || !sealed) throw new SiteGoneError(siteId);
  const credential = cipher.open(sealed, { ownerId, siteId });
  return createAdapter(site.type as SiteType, { ...site.config, type: site.type }, credential);
}
