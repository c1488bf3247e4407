import { cloudErrorFrom } from '../src/ec2';
import { importTaskFailed } from '../src/ec2/errors';

const context = { region: 'eu-west-1', importRole: 'vmimport' };
const aws = (name: string, status: number, message = 'AWS said so') =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

test.each([
  [
    'bad keys, or a region not enabled (#13 item 1)',
    aws('AuthFailure', 401),
    'authentication',
    false,
    /access key id and secret.*AuthFailure too in a region the account has not enabled: check that eu-west-1 is enabled under Account → AWS Regions/,
  ],
  ['an unknown key id', aws('InvalidClientTokenId', 403), 'authentication', false, /keys/],
  [
    'an account not subscribed to EC2 (#13 item 1)',
    aws('OptInRequired', 401),
    'permission',
    false,
    /^the AWS account is not subscribed to EC2 or not yet activated/,
  ],
  [
    'a request expired (#13 item 11)',
    aws('RequestExpired', 400, 'Request has expired.'),
    'authentication',
    false,
    /^AWS refused the request as expired .*: the keys may be right, but this host's clock is more than 15 minutes off AWS's \(set it by NTP\), or the temporary keys' session token has expired/,
  ],
  [
    'an expired session token (#13 item 11)',
    aws('ExpiredToken', 403),
    'authentication',
    false,
    /^the temporary keys' session token has expired/,
  ],
  [
    'a concurrent tag write (#13 item 11)',
    aws('ConcurrentTagAccess', 400),
    'transient',
    true,
    /busy/,
  ],
  [
    'a ClientToken reused with other parameters (#13 item 11)',
    aws('IdempotentParameterMismatch', 400),
    'invalid',
    false,
    /ClientToken.*used before with other parameters .*delete the copy and place the image again/,
  ],
  [
    'a missing vmimport role',
    aws(
      'InvalidParameter',
      400,
      'The service role vmimport provided does not exist or does not have sufficient permissions',
    ),
    'permission',
    false,
    /^VM Import's service role "vmimport" is missing .*create the IAM role "vmimport" as AWS's "Required service role" .*required-permissions\.html#vmimport-role/,
  ],
  ['throttling', aws('RequestLimitExceeded', 503), 'transient', true, /busy/],
  ['S3 slowing down', aws('SlowDown', 503), 'transient', true, /busy/],
  ['a 500', aws('InternalError', 500), 'transient', true, /failing/],
  ['an AMI that is gone', aws('InvalidAMIID.NotFound', 400), 'not_found', false, /not found/],
  ['a refused request', aws('InvalidParameterValue', 400), 'invalid', false, /refused/],
  [
    'a refused connection, as the SDK wraps it',
    new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1'),
    'unreachable',
    true,
    /nothing answered/,
  ],
  [
    'nothing listening',
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    'unreachable',
    true,
    /nothing answered/,
  ],
])('%s is a %s error', (_what, error, code, retryable, message) => {
  const typed = cloudErrorFrom(error, 'doing it', context);
  expect(typed.code).toBe(code);
  expect(typed.retryable).toBe(retryable);
  expect(typed.message).toMatch(message);
});

test('a cancelled call is reported as cancelled whatever the SDK threw', () => {
  const controller = new AbortController();
  controller.abort();
  const typed = cloudErrorFrom(aws('AbortError', 0), 'uploading', {
    ...context,
    signal: controller.signal,
  });
  expect(typed.code).toBe('cancelled');
});

test('no expiry reads as bad keys (#13 item 11)', () => {
  for (const code of ['RequestExpired', 'ExpiredToken'])
    expect(cloudErrorFrom(aws(code, 400), 'doing it', context).message).not.toMatch(
      /check the access key id/,
    );
});

test('a VM Import task refused the bucket says which ARNs the role’s policy lacks; another failure is the disk’s (#13 item 5)', () => {
  const request = { bucket: 'glint-staging-1-eu-west-1-an', key: 'glint/c.disk', role: 'vmimport' };
  const denied = importTaskFailed(
    {
      taskId: 'import-ami-1',
      status: 'deleted',
      message:
        'ClientError: Disk validation failed [We do not have access to the given resource. Reason 403 Forbidden]',
    },
    request,
  );
  expect(denied.code).toBe('permission');
  expect(denied.message).toMatch(
    /^VM Import's service role "vmimport" may not read s3:\/\/glint-staging-1-eu-west-1-an\/glint\/c\.disk .*add "arn:aws:s3:::glint-staging-1-eu-west-1-an" and "arn:aws:s3:::glint-staging-1-eu-west-1-an\/\*"/,
  );
  const broken = importTaskFailed(
    {
      taskId: 'import-ami-2',
      status: 'deleted',
      message: 'ClientError: Unknown OS / Missing OS files.',
    },
    request,
  );
  expect(broken.code).toBe('invalid');
  expect(broken.message).toMatch(/fix the image at its source/);
});
