/**
 * Who owns each bucket. Swift knows one account (the server's keys); S3 has many, and bucket names
 * are global, so another account can hold a name first. A bucket another account holds answers
 * the server's keys `AccessDenied` (403; a HEAD the bare status), unless its owner's policy lets
 * others in; creating it again answers `BucketAlreadyExists` (409). A request that names an
 * `x-amz-expected-bucket-owner` other than the bucket's owner answers 403 `AccessDenied`, as S3
 * does (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html).
 *
 * The account-regional namespace (`<prefix>-<account id>-<region>-an`,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/gpbucketnamespaces.html): only the account
 * in the suffix may create such a bucket, in that region, with `x-amz-bucket-namespace:
 * account-regional`. AWS documents that other accounts can never create these names; the error
 * code it gives them is not documented, and this server answers `InvalidBucketName` (400).
 */
import { header, kind, s3Error, type Reply, type S3Call } from './call';

interface Ownership {
  owner: string;
  /** The owner's bucket policy lets other accounts use it. */
  othersMayUse: boolean;
}

const accountRegional = /^.+-(\d{12})-([a-z0-9-]+)-an$/;

export class BucketOwners {
  private readonly buckets = new Map<string, Ownership>();

  constructor(private readonly accountId: string) {}

  /** Whether the bucket was created through this server (by anyone). */
  exists(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  /** The server's keys' own buckets are theirs; `squat` hands one to another account. */
  created(bucket: string): void {
    if (!this.buckets.has(bucket))
      this.buckets.set(bucket, { owner: this.accountId, othersMayUse: false });
  }

  squat(bucket: string, owner: string, othersMayUse: boolean): void {
    const reserved = accountRegional.exec(bucket);
    if (reserved && reserved[1] !== owner)
      throw new Error(`${bucket} is in account ${reserved[1]}'s regional namespace`);
    this.buckets.set(bucket, { owner, othersMayUse });
  }

  /** S3's refusal of the call, if it refuses it for ownership. */
  refuse(call: S3Call): Reply | undefined {
    const bucket = call.bucket;
    if (!bucket) return undefined;
    const held = this.buckets.get(bucket);
    if (kind.createBucket(call)) return this.refuseCreate(call, bucket, held);
    if (!held) return undefined;
    const expected = header(call, 'x-amz-expected-bucket-owner');
    const denied =
      (held.owner !== this.accountId && !held.othersMayUse) ||
      (expected !== undefined && expected !== held.owner);
    return denied ? s3Error(call, 403, 'AccessDenied', 'Access Denied') : undefined;
  }

  private refuseCreate(call: S3Call, bucket: string, held?: Ownership): Reply | undefined {
    if (held && held.owner !== this.accountId)
      return s3Error(
        call,
        409,
        'BucketAlreadyExists',
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      );
    const reserved = accountRegional.exec(bucket);
    const namespace = header(call, 'x-amz-bucket-namespace');
    if (reserved && reserved[1] !== this.accountId)
      return s3Error(call, 400, 'InvalidBucketName', `${bucket} is in another account's namespace`);
    if (namespace === 'account-regional' && (!reserved || reserved[2] !== call.region))
      return s3Error(
        call,
        400,
        'InvalidBucketName',
        `a bucket in the account-regional namespace is named <prefix>-${this.accountId}-${call.region}-an`,
      );
    return undefined;
  }
}
