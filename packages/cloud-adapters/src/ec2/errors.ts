import {
  AddressRefusedError,
  AuthenticationError,
  CancelledError,
  CloudError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  QuotaError,
  TransientError,
  UnreachableError,
} from '../errors';
import { outboundRefusal } from '../outbound';

/** What an AWS SDK error carries that tells its cause. */
interface AwsErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const badKeys = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'AuthFailure',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
]);
const throttled = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'SlowDown',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'Unavailable',
  'RequestTimeout',
]);
const missing = /NotFound$|^NoSuch|^NotFound$/;
const networkFailures = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'TimeoutError',
]);
/** VM Import's answer when its service role is missing or may not read the bucket. */
const importRoleProblem = /service role .* (does not exist|sufficient permissions)|vmimport/i;

/** How to create the role VM Import acts as; said whenever it is missing. */
export function importRoleAdvice(role: string): string {
  return (
    `create the IAM role "${role}" as AWS's "Required service role" for VM Import describes ` +
    '(https://docs.aws.amazon.com/vm-import/latest/userguide/required-permissions.html#vmimport-role): ' +
    'a trust policy for vmie.amazonaws.com, read access to the staging bucket and EC2 snapshot ' +
    'permissions; or set importRole in the account settings to a role that exists'
  );
}

/** Why a region cannot be used, and how to enable it; `evidence` is what showed it. */
export function regionNotEnabled(region: string, evidence: string): string {
  return (
    `region ${region} is not enabled for this AWS account (${evidence}); it is an opt-in region: ` +
    'enable it in the AWS console under Account → AWS Regions (this takes a few minutes), or ' +
    'remove the region from this account in Glint'
  );
}

/**
 * An AWS SDK failure as one of Glint's typed cloud errors, its message saying what failed and what
 * to do. `doing` names the call for the message, e.g. "listing the AMIs of eu-west-1".
 */
export function cloudErrorFrom(
  error: unknown,
  doing: string,
  context: { region: string; importRole?: string; signal?: AbortSignal },
): CloudError {
  if (error instanceof CloudError) return error;
  if (context.signal?.aborted)
    return new CancelledError(`${doing} was cancelled`, { cause: error });
  const refusal = outboundRefusal(error);
  if (refusal)
    return new AddressRefusedError(`${doing} was not attempted: ${refusal.message}`, {
      cause: error,
    });
  const aws = (error ?? {}) as AwsErrorShape;
  const name = aws.name ?? aws.code ?? '';
  const status = aws.$metadata?.httpStatusCode;
  const said = aws.message ? `: ${aws.message}` : '';
  const options = { cause: error, ...(status !== undefined ? { status } : {}) };
  if (badKeys.has(name))
    return new AuthenticationError(
      `AWS refused the access keys while ${doing} (${name}${said}); check the access key id and secret, or give new keys`,
      options,
    );
  if (name === 'OptInRequired')
    return new PermissionError(regionNotEnabled(context.region, `${name} while ${doing}`), options);
  if (importRoleProblem.test(aws.message ?? '') && context.importRole)
    return new PermissionError(
      `VM Import's service role "${context.importRole}" is missing or lacks permissions, so ${doing} failed (AWS${said}); ${importRoleAdvice(context.importRole)}`,
      options,
    );
  if (name === 'UnauthorizedOperation' || name === 'AccessDenied' || status === 403)
    return new PermissionError(
      `the AWS keys may not do this while ${doing} (${name || status}${said}); grant the IAM user or role the EC2, S3 and VM Import permissions Glint needs`,
      options,
    );
  if (throttled.has(name) || (status !== undefined && status >= 500))
    return new TransientError(
      `AWS is busy or failing while ${doing} (${name || status}${said})`,
      options,
    );
  if (missing.test(name) || status === 404)
    return new NotFoundError(`not found while ${doing} (${name || status}${said})`, options);
  if (name === 'ResourceLimitExceeded' || /LimitExceeded$/.test(name))
    return new QuotaError(`an AWS limit was reached while ${doing} (${name}${said})`, options);
  // The SDK wraps a failed connection in an error whose message alone names the cause.
  const system =
    (error as { code?: string }).code ??
    [...networkFailures].find((failure) => aws.message?.includes(failure));
  if (networkFailures.has(name) || (system && networkFailures.has(system)))
    return new UnreachableError(
      `nothing answered for AWS in ${context.region} while ${doing} (${system ?? name}${said})`,
      options,
    );
  if (status !== undefined && status >= 400)
    return new InvalidRequestError(
      `AWS refused the request while ${doing} (${name || status}${said})`,
      options,
    );
  return new TransientError(
    `${doing} failed: ${error instanceof Error ? error.message : String(error)}`,
    options,
  );
}
