/** A site was removed (or its credential) after its job was queued; retrying cannot help. */
export class SiteGoneError extends Error {
  constructor(siteId: string) {
    super(`site ${siteId} or its credential no longer exists`);
    this.name = 'SiteGoneError';
  }
}
