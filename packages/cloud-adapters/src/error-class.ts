import { isCloudError, type CloudErrorCode } from './errors';

/**
 * The classes operators count a site's errors by (a metric label, so a short fixed list): a login
 * or permission refused, something missing, a failure that may clear, bytes that did not match
 * their hash, a full quota, and anything else a cloud refused.
 */
export const ERROR_CLASSES = [
  'auth',
  'not_found',
  'transient',
  'integrity',
  'quota',
  'other',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

const classOfCode: Record<CloudErrorCode, ErrorClass | null> = {
  authentication: 'auth',
  permission: 'auth',
  not_found: 'not_found',
  transient: 'transient',
  unreachable: 'transient',
  integrity: 'integrity',
  quota: 'quota',
  conflict: 'other',
  invalid: 'other',
  // The outbound policy refused the site's address: the operator's setting, not an outage.
  address_refused: 'other',
  no_image_service: 'other',
  // The caller stopped it: not the site's fault.
  cancelled: null,
};

/** The class of a cloud's error; null for a cancel and for errors that are not a cloud's. */
export function errorClassOf(error: unknown): ErrorClass | null {
  return isCloudError(error) ? classOfCode[error.code] : null;
}
