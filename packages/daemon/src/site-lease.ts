import {
  siteType,
  type CloudAdapter,
  type ReleaseNaming,
  type ServerSideCopy,
} from '@glint/cloud-adapters';
import { inSite, iterateInSite } from './site-scope';

/**
 * The adapter each lease holds: an adapter that copies from another site itself must see that
 * site's own adapter (of its own type, say), not the lease.
 */
const leased = new WeakMap<CloudAdapter, CloudAdapter>();

/**
 * The destination's server-side copy, run in the destination's scope, where its site type declares
 * one: the daemon asks the descriptor, never the type's name.
 */
async function serverSideCopy(
  adapter: CloudAdapter,
  source: CloudAdapter,
  call: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<ServerSideCopy | undefined> {
  const copy = await call(async () => adapter.serverSideCopyFrom?.(leased.get(source) ?? source));
  return copy && { method: copy.method, run: (options) => call(() => copy.run(options)) };
}

/** A site's release naming with every call in the site's scope. */
function namingInSite(
  naming: ReleaseNaming,
  call: <T>(work: () => Promise<T>) => Promise<T>,
): ReleaseNaming {
  return {
    holders: (slot) => call(() => naming.holders(slot)),
    promote: (request) => call(() => naming.promote(request)),
    demote: (slot, image) => call(() => naming.demote(slot, image)),
    retire: (slot, image) => call(() => naming.retire(slot, image)),
  };
}

/**
 * The shared adapter as one user holds it: closing it gives it back to the pool, once. Every call
 * runs in the site's scope (site-scope.ts), so its logins and errors are the site's.
 */
export function leaseAdapter(
  siteId: string,
  adapter: CloudAdapter,
  release: () => void,
): CloudAdapter {
  let released = false;
  const call = <T>(work: () => Promise<T>) => inSite(siteId, work);
  const held: CloudAdapter = {
    siteType: adapter.siteType,
    resumableUploads: adapter.resumableUploads,
    digestsReceived: adapter.digestsReceived,
    hidesImages: adapter.hidesImages,
    validate: () => call(() => adapter.validate()),
    listImages: (query) => iterateInSite(siteId, adapter.listImages(query)),
    getImage: (id) => call(() => adapter.getImage(id)),
    openDownload: (id, options) => call(() => adapter.openDownload(id, options)),
    createImage: (spec) => call(() => adapter.createImage(spec)),
    uploadImageData: (id, data, options) => call(() => adapter.uploadImageData(id, data, options)),
    awaitActive: (id, options) => call(() => adapter.awaitActive(id, options)),
    deleteImage: (id) => call(() => adapter.deleteImage(id)),
    updateProperties: (id, changes) => call(() => adapter.updateProperties(id, changes)),
    ...(siteType(adapter.siteType).capabilities.serverSideCopy && {
      serverSideCopyFrom: (source: CloudAdapter) => serverSideCopy(adapter, source, call),
    }),
    ...(adapter.releaseNaming && { releaseNaming: namingInSite(adapter.releaseNaming, call) }),
    health: () => call(() => adapter.health()),
    close: async () => {
      if (!released) release();
      released = true;
    },
  };
  leased.set(held, adapter);
  return held;
}
