/**
 * Bucket lifecycle configurations, which Swift 2.30's s3api does not implement (it has no
 * `?lifecycle` controller: a PUT would be taken for CreateBucket). This server records and
 * answers them as S3 does (PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration,
 * DeleteBucketLifecycle; `NoSuchLifecycleConfiguration` when there is none; the PUT needs
 * Content-MD5 or an `x-amz-checksum-*` header); it does not act on them: nothing expires here.
 */
import { header, s3Error, type Reply, type S3Call } from './call';

export class Lifecycles {
  private readonly configurations = new Map<string, string>();

  answer(call: S3Call, body: string, bucketExists: boolean): Reply {
    const bucket = call.bucket!;
    if (!bucketExists)
      return s3Error(call, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (call.method === 'PUT') {
      const checksummed =
        header(call, 'content-md5') ||
        Object.keys(call.headers).some((name) => name.startsWith('x-amz-checksum-'));
      if (!checksummed)
        return s3Error(
          call,
          400,
          'InvalidRequest',
          'Missing required header for this request: Content-MD5',
        );
      const rules = [...body.matchAll(/<Rule>([\s\S]*?)<\/Rule>/g)];
      if (
        !body.includes('<LifecycleConfiguration') ||
        rules.length === 0 ||
        rules.some(([, rule]) => !/<Status>(Enabled|Disabled)<\/Status>/.test(rule!))
      )
        return s3Error(
          call,
          400,
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
        );
      this.configurations.set(bucket, body);
      return { status: 200 };
    }
    if (call.method === 'DELETE') {
      this.configurations.delete(bucket);
      return { status: 204 };
    }
    const configuration = this.configurations.get(bucket);
    return configuration
      ? { status: 200, headers: { 'content-type': 'application/xml' }, body: configuration }
      : s3Error(
          call,
          404,
          'NoSuchLifecycleConfiguration',
          'The lifecycle configuration does not exist',
        );
  }
}
