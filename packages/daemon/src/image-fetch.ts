import { lookup } from 'node:dns';
import { isIP, type BlockList, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { addressAllowed, checkFetchUrl, UrlNotAllowedError } from '@glint/core';
import { Agent, buildConnector, interceptors, request, type Dispatcher } from 'undici';

/** Why an import's URL gave no image; `retryable` when a later attempt may fare better. */
export class ImageFetchError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ImageFetchError';
  }
}

/** Content types that are pages or documents, never disk images. */
const NOT_IMAGES = /^(text\/|application\/(json|xml|xhtml\+xml|javascript|ld\+json)\b)/i;

/**
 * A name lookup that refuses internal addresses. Every connection (a redirect's too) goes through
 * it, so a host name that resolved to a public address when the import was asked for cannot lead
 * to an internal one when the data is fetched.
 */
function guardedLookup(allowed?: BlockList): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !addressAllowed(a.address, allowed));
      if (refused)
        return callback(
          new UrlNotAllowedError(
            `${hostname} is at ${refused.address}, an internal address imports may not reach`,
            refused.address,
          ),
          '',
          0,
        );
      if (options.all)
        return (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
      const [first] = addresses;
      callback(null, first!.address, first!.family);
    });
  };
}

/**
 * Connections only to allowed addresses: host names through the guarded lookup, and addresses
 * written in the URL (which no lookup sees) checked here.
 */
function guardedConnector(allowed?: BlockList): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(allowed) });
  return (options, callback) => {
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0 && !addressAllowed(host, allowed))
      return callback(
        new UrlNotAllowedError(`${host} is an internal address imports may not reach`, host),
        null,
      );
    return connect(options, callback);
  };
}

export interface FetchedImage {
  body: Readable;
  /** What the server says the length is, if it says. */
  size: number | null;
  dispatcher: Dispatcher;
}

/** A URL's text without its query or credentials, fit for a property or a message. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Opens the image at `url` for reading, after checking the URL again, with every connection's
 * address checked too. Refuses 404s and other failures, pages that are not images, and a length
 * other than `expectedSize`, each with a message saying which.
 */
export async function fetchImage(
  url: string,
  options: { allowed?: BlockList; expectedSize?: number; signal?: AbortSignal } = {},
): Promise<FetchedImage> {
  await checkFetchUrl(url, options.allowed);
  const dispatcher = new Agent({ connect: guardedConnector(options.allowed) }).compose(
    interceptors.redirect({ maxRedirections: 5 }),
  );
  const shown = displayUrl(url);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      dispatcher,
      ...(options.signal && { signal: options.signal }),
    });
  } catch (error) {
    await dispatcher.close();
    if (error instanceof UrlNotAllowedError || (error as Error).cause instanceof UrlNotAllowedError)
      throw new ImageFetchError(
        ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message,
        false,
      );
    throw new ImageFetchError(`${shown} could not be fetched: ${(error as Error).message}`, true);
  }
  const fail = async (message: string, retryable: boolean): Promise<never> => {
    await response.body.dump().catch(() => undefined);
    await dispatcher.close();
    throw new ImageFetchError(message, retryable);
  };
  const { statusCode, headers } = response;
  if (statusCode === 404)
    return fail(`${shown} answered 404 Not Found: there is no image at that URL`, false);
  if (statusCode >= 400)
    return fail(
      `${shown} answered ${statusCode} instead of the image`,
      statusCode >= 500 || statusCode === 429,
    );
  if (statusCode !== 200)
    return fail(`${shown} answered ${statusCode}, not 200 with the image`, false);
  const type = String(headers['content-type'] ?? '');
  if (NOT_IMAGES.test(type))
    return fail(
      `${shown} serves ${type.split(';')[0]}, not an image: check the URL points at the file itself`,
      false,
    );
  const length = headers['content-length'] === undefined ? null : Number(headers['content-length']);
  if (length !== null && options.expectedSize !== undefined && length !== options.expectedSize)
    return fail(
      `${shown} is ${length} bytes long, not the ${options.expectedSize} expected`,
      false,
    );
  return { body: response.body, size: length, dispatcher };
}
