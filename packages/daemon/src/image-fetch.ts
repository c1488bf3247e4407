import type { Readable } from 'node:stream';
import { OutboundRefusedError, type OutboundPolicy } from '@glint/core';
import { guardedConnector, outboundRefusal } from '@glint/cloud-adapters';
import type { Dispatcher } from 'undici';
import { Agent, request } from '@glint/cloud-adapters';

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

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Where a redirect leads; permanent failures for one that leads nowhere, loops, or leaves http(s)
 * (a file:// or gopher:// Location is an attack or a mistake, and never clears by itself).
 */
function redirectTarget(
  from: string,
  response: Dispatcher.ResponseData,
  redirects: number,
): string {
  const shown = displayUrl(from);
  const location = response.headers.location;
  if (typeof location !== 'string' || location === '')
    throw new ImageFetchError(`${shown} answered ${response.statusCode} without a Location`, false);
  if (redirects >= MAX_REDIRECTS)
    throw new ImageFetchError(
      `${shown} redirected more than ${MAX_REDIRECTS} times: give the image's final URL`,
      false,
    );
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new ImageFetchError(`${shown} redirects to something that is not a URL`, false);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new OutboundRefusedError(
      `${shown} redirects to a ${target.protocol}// URL; Glint follows redirects only to http and https URLs`,
    );
  return target.href;
}

/** The answer at the end of the URL's redirects, each checked before it is asked. */
async function following(
  url: string,
  dispatcher: Dispatcher,
  options: { outbound: OutboundPolicy; signal?: AbortSignal },
): Promise<Dispatcher.ResponseData> {
  let next = url;
  for (let redirects = 0; ; redirects++) {
    await options.outbound.checkUrl(next);
    const response = await request(next, {
      dispatcher,
      ...(options.signal && { signal: options.signal }),
    });
    if (!REDIRECTS.has(response.statusCode)) return response;
    await response.body.dump();
    next = redirectTarget(next, response, redirects);
  }
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
 * Opens the image at `url` for reading. The URL and every redirect are checked against the
 * outbound policy before they are asked, and every connection's address again as it is made.
 * Refuses 404s and other failures, redirects anywhere but http(s), pages that are not images, and
 * a length other than `expectedSize`, each with a message saying which.
 */
export async function fetchImage(
  url: string,
  options: { outbound: OutboundPolicy; expectedSize?: number; signal?: AbortSignal },
): Promise<FetchedImage> {
  const dispatcher = new Agent({ connect: guardedConnector(options.outbound) });
  const shown = displayUrl(url);
  let response: Dispatcher.ResponseData;
  try {
    response = await following(url, dispatcher, options);
  } catch (error) {
    await dispatcher.close();
    const permanent = error instanceof ImageFetchError ? error : outboundRefusal(error);
    if (permanent) throw new ImageFetchError(permanent.message, false);
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
