/**
 * Typed cloud errors. The daemon decides retry versus permanent failure from `retryable` alone, so
 * every adapter maps its service's failures onto these classes and nothing else leaks out.
 */
export type CloudErrorCode =
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'quota'
  | 'invalid'
  | 'unreachable'
  | 'address_refused'
  | 'no_image_service'
  | 'integrity'
  | 'cancelled'
  | 'transient';

export interface CloudErrorOptions {
  /** HTTP status from the cloud, when there was one. */
  status?: number;
  cause?: unknown;
}

export abstract class CloudError extends Error {
  abstract readonly code: CloudErrorCode;
  /** True when the same call may succeed later without anyone changing anything. */
  abstract readonly retryable: boolean;
  readonly status?: number;

  constructor(message: string, options: CloudErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
  }
}

/** Wrong password, unknown user, expired application credential. */
export class AuthenticationError extends CloudError {
  readonly code = 'authentication';
  readonly retryable = false;
}

/** Authenticated, but not allowed to do this. */
export class PermissionError extends CloudError {
  readonly code = 'permission';
  readonly retryable = false;
}

export class NotFoundError extends CloudError {
  readonly code = 'not_found';
  readonly retryable = false;
}

/** The resource is in a state that forbids the call (e.g. upload to an image that is not queued). */
export class ConflictError extends CloudError {
  readonly code = 'conflict';
  readonly retryable = false;
}

/** Over quota. Retryable: quota frees up when other images go. */
export class QuotaError extends CloudError {
  readonly code = 'quota';
  readonly retryable = true;
}

/** The cloud refused the request as malformed (a 4xx on create, a bad property). */
export class InvalidRequestError extends CloudError {
  readonly code = 'invalid';
  readonly retryable = false;
}

/** Nothing answered at the address: DNS failure, connection refused, TLS failure, time-out. */
export class UnreachableError extends CloudError {
  readonly code = 'unreachable';
  readonly retryable = true;
}

/**
 * The outbound policy refused the address before any connection: loopback, private, link-local and
 * the like, unless the operator's GLINT_OUTBOUND_ALLOW lets it through. No retry changes that.
 */
export class AddressRefusedError extends CloudError {
  readonly code = 'address_refused';
  readonly retryable = false;
}

/** Keystone answered, but its catalog has no image endpoint for the chosen region and interface. */
export class NoImageServiceError extends CloudError {
  readonly code = 'no_image_service';
  readonly retryable = false;
}

/** Bytes did not match the hash that was declared for them. */
export class IntegrityError extends CloudError {
  readonly code = 'integrity';
  readonly retryable = false;
}

/** The caller aborted the operation. */
export class CancelledError extends CloudError {
  readonly code = 'cancelled';
  readonly retryable = false;
}

/** 5xx, connection reset, 409 while busy: worth another try after a back-off. */
export class TransientError extends CloudError {
  readonly code = 'transient';
  readonly retryable = true;
}

export function isCloudError(error: unknown): error is CloudError {
  return error instanceof CloudError;
}
