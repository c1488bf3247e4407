import { cloudErrorFrom } from '../src/ec2';

const context = { region: 'eu-west-1', importRole: 'vmimport' };
const aws = (name: string, status: number, message = 'AWS said so') =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

test.each([
  ['bad keys', aws('AuthFailure', 401), 'authentication', false, /access key id and secret/],
  ['an unknown key id', aws('InvalidClientTokenId', 403), 'authentication', false, /keys/],
  [
    'a region not enabled',
    aws('OptInRequired', 401),
    'permission',
    false,
    /^region eu-west-1 is not enabled .*enable it in the AWS console under Account → AWS Regions/,
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
