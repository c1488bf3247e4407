import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { Agent, request } from '../http-client';
import { redactSecrets, type OpenStackSiteConfig, type OutboundPolicy } from '@glint/core';
import {
  AddressRefusedError,
  AuthenticationError,
  CancelledError,
  type CloudError,
  type CloudErrorOptions,
  ConflictError,
  InvalidRequestError,
  isCloudError,
  NotFoundError,
  PermissionError,
  QuotaError,
  TransientError,
  UnreachableError,
} from '../errors';
import { guardedConnector, outboundRefusal } from '../outbound';

/**
 * One connection pool per site, so one site's CA bundle or explicit `insecure` choice never applies
 * to another site's connections. Verification is on unless the site says `insecure: true`. Every
 * connection, to Keystone and to whatever its catalog names, is under `outbound`; only a program
 * acting for its own user on that user's machine (the CLI) passes null.
 */
export function createSiteAgent(
  tls: Pick<OpenStackSiteConfig, 'caBundle' | 'insecure'>,
  outbound: OutboundPolicy | null,
): Agent {
  const connect = {
    ...(tls.caBundle ? { ca: tls.caBundle } : {}),
    rejectUnauthorized: tls.insecure !== true,
  };
  return new Agent({ connect: outbound ? guardedConnector(outbound, connect) : connect });
}

/** Who was asked to do what, so failures can say it. */
export interface ServiceCall {
  /** The service as people know it: `Keystone`, `Glance`. */
  service: string;
  /** Completes "refused to …" / "failed to …", e.g. `delete image 4c1e…`. */
  action: string;
  url: string;
  /** Advice that replaces the default for a status, e.g. what to check after a 401 at login. */
  advice?: Partial<Record<number, string>>;
  /** Strings that must never appear in a message built from the server's reply. */
  secrets?: readonly string[];
  /**
   * False for calls whose far side may be anything a user typed (a login, the check that a URL is
   * Glance): their errors then say the status and what it means, never what the reply said.
   */
  quoteReply?: boolean;
}

export interface HttpRequest extends ServiceCall {
  method: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string | Readable;
  signal?: AbortSignal;
}

/**
 * Sends one request and maps failures to reach the service onto typed errors; HTTP error statuses
 * are left to the caller, which knows which ones it expects.
 */
export async function send(
  dispatcher: Dispatcher,
  call: HttpRequest,
): Promise<Dispatcher.ResponseData> {
  try {
    return await request(call.url, {
      dispatcher,
      method: call.method,
      // Without it Glance and Keystone answer errors as HTML.
      headers: { accept: 'application/json', ...call.headers },
      body: call.body,
      signal: call.signal,
    });
  } catch (error) {
    throw errorForNetworkFailure(error, call, 'request', call.signal);
  }
}

/** Reads an error reply and turns it into the typed error for its status. */
export async function errorForResponse(
  response: Dispatcher.ResponseData,
  call: ServiceCall,
): Promise<CloudError> {
  let body = '';
  try {
    body = await response.body.text();
  } catch {
    // The status alone still says what went wrong.
  }
  return errorForStatus(response.statusCode, body, call);
}

export async function readJson<T>(
  response: Dispatcher.ResponseData,
  call: ServiceCall,
): Promise<T> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw errorForNetworkFailure(error, call, 'body');
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    // Typically an HTML page from a proxy in front of the service, which tends to pass.
    throw new TransientError(
      `${call.service} at ${call.url} answered ${call.action} with a body that is not JSON ` +
        `(${response.statusCode}): check that the URL points at ${call.service} and not at a proxy page`,
      { status: response.statusCode },
    );
  }
}

/*
 * Glance answers 409 for two different things. Most are permanent for the request as sent: an image
 * id that already exists (create), an upload to an image that is `active` or `killed`
 * (InvalidImageStatusTransition, "Image status transition from active to saving is not allowed"),
 * a property that does not exist for `replace`/`remove`. Some say the image is busy and pass on
 * their own: an import holding the image's task lock ("Image has active task", "prior operation is
 * still in progress"), a backend still using the data on delete (glance_store InUseByStore: "could
 * not be deleted because it is in use"), Glance's generic Conflict ("is currently being operated
 * on"), and a transition out of a state that is itself a transition. The last one matters most: an
 * upload that broke off leaves the image `saving` for a moment (about 100 ms in the sandbox) before
 * Glance puts it back to `queued`, and an immediate retry meets "transition from saving to saving
 * is not allowed". Only these are worth retrying (glance/api/v2/images.py, image_data.py).
 */
const glanceBusyConflict =
  /active task|still in progress|in use|currently being operated on|transition from (saving|uploading|importing) /i;

// Glance's 413 covers quota and full storage (both free up) and image_size_cap (which does not).
const quotaText = /quota|over limit|limit exceeded|exceeds? (the )?limit|threshold|is full/i;

type CloudErrorClass = new (message: string, options?: CloudErrorOptions) => CloudError;

function classifyStatus(
  status: number,
  serverMessage: string,
): { errorClass: CloudErrorClass; advice: string } {
  if (status >= 500) {
    return {
      errorClass: TransientError,
      advice: 'the service failed; retry later, and check its logs if this persists',
    };
  }
  switch (status) {
    case 401:
      return {
        errorClass: AuthenticationError,
        advice: 'the credentials or the token were rejected; check the site credential',
      };
    case 403:
      return {
        errorClass: PermissionError,
        advice: "the user's roles do not allow this; ask the cloud's administrator for access",
      };
    case 404:
      return {
        errorClass: NotFoundError,
        advice: 'it does not exist, or this project cannot see it',
      };
    case 409:
      return glanceBusyConflict.test(serverMessage)
        ? { errorClass: TransientError, advice: 'it is busy with another operation; retry later' }
        : { errorClass: ConflictError, advice: 'it is in a state that does not allow this' };
    case 410:
      // How Glance reports an image deleted while its data was being uploaded.
      return { errorClass: NotFoundError, advice: 'it was deleted while the request was running' };
    case 413:
      return quotaText.test(serverMessage)
        ? {
            errorClass: QuotaError,
            advice: 'free space by deleting images, or ask for a larger quota',
          }
        : { errorClass: InvalidRequestError, advice: 'it is larger than the service accepts' };
    case 408:
    case 429:
      return { errorClass: TransientError, advice: 'the service is overloaded; retry later' };
    default:
      return {
        errorClass: InvalidRequestError,
        advice: 'the request was refused as invalid; check the values sent',
      };
  }
}

/** Maps an HTTP error status and its body onto the typed error, with a message that says how to fix it. */
export function errorForStatus(status: number, body: string, call: ServiceCall): CloudError {
  const serverMessage = redactSecrets(extractServerMessage(body), call.secrets ?? []);
  const { errorClass, advice } = classifyStatus(status, serverMessage);
  const verb = status >= 500 ? 'failed to' : 'refused to';
  const detail = serverMessage ? `${status}: ${serverMessage}` : String(status);
  const fix = call.advice?.[status] ?? advice;
  const said = call.quoteReply === false ? String(status) : detail;
  const message = `${call.service} at ${call.url} ${verb} ${call.action} (${said}): ${fix}`;
  return new errorClass(message, { status });
}

/**
 * The human part of an OpenStack error body: Keystone's `{"error": {"message"}}`, Glance's (webob's)
 * `{"message"}` with `<br />` in it, the `{"itemNotFound": {"message"}}` style, or plain text.
 */
export function extractServerMessage(body: string): string {
  const text = body.trim();
  if (!text) return '';
  let message: unknown = text;
  try {
    const parsed: unknown = JSON.parse(text);
    message = findMessage(parsed) ?? '';
  } catch {
    // Not JSON: text or HTML, used as it is.
  }
  const clean = String(message)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > 500 ? `${clean.slice(0, 500)}…` : clean;
}

function findMessage(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.message === 'string') return record.message;
  for (const nested of Object.values(record)) {
    if (
      typeof nested === 'object' &&
      nested !== null &&
      typeof (nested as Record<string, unknown>).message === 'string'
    ) {
      return (nested as Record<string, unknown>).message as string;
    }
  }
  return undefined;
}

// Nothing listened, or nothing could be found to connect to: the address, the service or a firewall is wrong.
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const tlsCode =
  /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;
// Our own mistakes, which no retry can fix.
const programmingCodes = new Set([
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'UND_ERR_NOT_SUPPORTED',
]);

/**
 * Maps a failure to talk to a service onto the typed error. `phase` says whether the request was
 * still being sent and answered (`request`) or a reply body was being read (`body`): once a
 * service has answered it was reachable, so everything after that passes with a retry.
 */
export function errorForNetworkFailure(
  error: unknown,
  call: ServiceCall,
  phase: 'request' | 'body',
  signal?: AbortSignal,
): CloudError {
  if (signal?.aborted) {
    return new CancelledError(`${call.action} at ${call.service} (${call.url}) was cancelled`, {
      cause: error,
    });
  }
  // A failing upload source already says what went wrong, in its own typed error.
  if (isCloudError(error)) return error;
  const refusal = outboundRefusal(error);
  if (refusal)
    return new AddressRefusedError(
      `${call.service} at ${call.url} was not asked to ${call.action}: ${refusal.message}`,
      { cause: error },
    );
  const code = errorCode(error) ?? '';
  const reason = redactSecrets(
    `${code ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`,
    call.secrets ?? [],
  );
  if (phase === 'request' && tlsCode.test(code)) {
    return new UnreachableError(
      `could not open a verified TLS connection to ${call.service} at ${call.url} to ${call.action} (${reason}): ` +
        "give the site the CA bundle that signed the server's certificate, or mark it insecure only if " +
        'unverified connections are acceptable',
      { cause: error },
    );
  }
  if (phase === 'request' && unreachableCodes.has(code)) {
    return new UnreachableError(
      `could not reach ${call.service} at ${call.url} to ${call.action} (${reason}): check the URL, that the ` +
        'service is running, and that this host may connect to it',
      { cause: error },
    );
  }
  if (programmingCodes.has(code) || (!code && error instanceof TypeError)) {
    const message = `could not send the request to ${call.action} to ${call.service} at ${call.url} (${reason})`;
    return new InvalidRequestError(message, { cause: error });
  }
  return new TransientError(
    `the connection to ${call.service} at ${call.url} broke while trying to ${call.action} (${reason}): retry`,
    { cause: error },
  );
}

/** The first error code in a chain of causes, or among the attempts of a multi-address connect. */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && code !== 'UND_ERR') return code;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = errorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return errorCode(cause, depth + 1);
}
