import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The site an adapter call is made for, as the async context of that call. The daemon's adapters
 * run every call inside it, so what happens deep inside an adapter (a Keystone login, reported on
 * @glint/cloud-adapters' login channel) and the errors it throws can be put down to their site.
 */
const scope = new AsyncLocalStorage<string>();

/** Errors thrown by a site's adapter calls, and which site threw them. */
const errorSites = new WeakMap<object, string>();

/** The site of the adapter call running now, if any. */
export const currentSite = (): string | undefined => scope.getStore();

/** The site whose adapter threw `error`, when it came from one. */
export function siteOfError(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? errorSites.get(error) : undefined;
}

function blame(error: unknown, siteId: string): never {
  if (typeof error === 'object' && error !== null && !errorSites.has(error))
    errorSites.set(error, siteId);
  throw error;
}

/** Runs an adapter call in the site's scope, noting the site of what it throws. */
export function inSite<T>(siteId: string, call: () => Promise<T>): Promise<T> {
  return scope.run(siteId, () => call().catch((error: unknown) => blame(error, siteId)));
}

/** An adapter's listing, each page read in the site's scope. */
export async function* iterateInSite<T>(
  siteId: string,
  iterable: AsyncIterable<T>,
): AsyncIterable<T> {
  const iterator = scope.run(siteId, () => iterable[Symbol.asyncIterator]());
  for (;;) {
    const next = await inSite(siteId, () => iterator.next());
    if (next.done) return;
    yield next.value;
  }
}
