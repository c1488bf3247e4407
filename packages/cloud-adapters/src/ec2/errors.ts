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
  /** Set by AWS's own error replies; absent when the SDK could not read the reply at all. */
  $fault?: string;
  /** The reply, kept by the SDK on an error it could not deserialize. */
  $response?: { statusCode?: number; headers?: Record<string, string> };
}

/**
 * A reply the SDK could not read (a web page, a proxy's answer) from an address that should be
 * AWS's: a wrong endpoint in the account's settings, not something a retry mends. Undefined for
 * anything else, and for a failing server (5xx), which is transient whatever it answers.
 */
function notAwsReply(aws: AwsErrorShape, doing: string): string | undefined {
  const status = aws.$response?.statusCode;
  if (aws.$fault !== undefined || status === undefined || status >= 500) return undefined;
  const type = aws.$response?.headers?.['content-type'] ?? 'no content type';
  return `while ${doing}, the address called answered HTTP ${status} with ${type}, not an AWS reply: ${checkEndpoints}`;
}

/** What to check when something other than AWS answered. */
export const checkEndpoints =
  "check the account's endpoints (settings.endpoints sts, ec2 and s3) and that no proxy answers in AWS's place";

const badKeys = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'AuthFailure',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
]);
/** Keys that were good but whose time is over, or a request signed too far from AWS's clock. */
const expired = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
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
  // Another request is tagging the same resource; EC2 says to try again.
  'ConcurrentTagAccess',
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

/**
 * VM Import's status when its service role may not read the disk: AWS's sample role policy names
 * buckets one by one, so the first import from a bucket not named fails so.
 */
const importAccessDenied = /Disk validation failed .*(403 Forbidden|do not have access)/i;

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
 * A VM Import task that ended without an image, as a permanent error: a role that may not read
 * the bucket says what to add to its policy; anything else is the disk, to fix at its source.
 */
export function importTaskFailed(
  failed: { taskId: string; status: string; message?: string },
  request: { bucket: string; key: string; role: string },
): CloudError {
  const said = `task ${failed.taskId}, ${failed.status}: ${failed.message ?? 'no reason given'}`;
  if (importAccessDenied.test(failed.message ?? ''))
    return new PermissionError(
      `VM Import's service role "${request.role}" may not read s3://${request.bucket}/${request.key} (${said}); ` +
        `add "arn:aws:s3:::${request.bucket}" and "arn:aws:s3:::${request.bucket}/*" to the Resource of the role policy's ` +
        `s3:GetBucketLocation, s3:GetObject and s3:ListBucket statement, or give the role the policy in Glint's README, ` +
        'which covers every staging bucket Glint creates (arn:aws:s3:::glint-staging-*)',
    );
  return new InvalidRequestError(
    `VM Import gave up on ${request.key} (${said}); ` +
      'it takes a bootable raw, VMDK, VHD, VHDX or OVA disk of an operating system it supports: fix the image at its source, then copy it again',
  );
}

/** AWS refusing the keys or the account itself (not the request), or undefined. `what` is the call and AWS's words. */
function accountRefusal(
  name: string,
  what: string,
  region: string,
  options: { cause: unknown; status?: number },
): CloudError | undefined {
  if (badKeys.has(name))
    return new AuthenticationError(
      `AWS refused the access keys while ${what}; check the access key id and secret, or give new keys` +
        (name === 'AuthFailure'
          ? `; EC2 answers AuthFailure too in a region the account has not enabled: check that ${region} is enabled under Account → AWS Regions`
          : ''),
      options,
    );
  if (name === 'RequestExpired')
    return new AuthenticationError(
      `AWS refused the request as expired while ${what}: the keys may be right, but ` +
        "this host's clock is more than 15 minutes off AWS's (set it by NTP), or the temporary keys' session token has expired " +
        '(give new keys, or long-term keys with a role to assume, which Glint renews itself)',
      options,
    );
  if (expired.has(name))
    return new AuthenticationError(
      `the temporary keys' session token has expired, so AWS refused it while ${what}; ` +
        'give new keys, or long-term keys with a role to assume, which Glint renews itself',
      options,
    );
  // EC2's OptInRequired is an account not subscribed to EC2 or not yet activated; a region not
  // enabled answers AuthFailure (validate() asks about regions before calling one).
  if (name === 'OptInRequired')
    return new PermissionError(
      `the AWS account is not subscribed to EC2 or not yet activated, so AWS refused ${what}; ` +
        'finish signing the account up (a new account can take a while to be activated), then try again',
      options,
    );
  return undefined;
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
  const unreadable = notAwsReply(aws, doing);
  if (unreadable) return new InvalidRequestError(unreadable, options);
  const refused = accountRefusal(name, `${doing} (${name}${said})`, context.region, options);
  if (refused) return refused;
  if (name === 'IdempotentParameterMismatch')
    return new InvalidRequestError(
      `AWS refused ${doing} (${name}${said}): Glint gives VM Import the copy's id as ClientToken, so that a retry finds ` +
        "the import it started, and that token was used before with other parameters (the account's importRole, " +
        "importMode or bucket, or the image's format, changed since); delete the copy and place the image again, which starts a new one",
      options,
    );
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
