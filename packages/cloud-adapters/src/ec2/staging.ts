import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutBucketLifecycleConfigurationCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { IntegrityError, PermissionError } from '../errors';
import type { ReceivedData } from './image-mapping';
import { compositeChecksum, partSizeFor } from './staging-parts';

/**
 * Regions where S3 has no account-regional bucket namespace (AWS: all but Middle East (Bahrain)
 * and Middle East (UAE)); there the default bucket is in the global namespace.
 */
const NO_ACCOUNT_REGIONAL_NAMESPACE = new Set(['me-south-1', 'me-central-1']);
/** An upload abandoned this long (a daemon lost for good) is removed by S3 itself. */
const ABANDONED_UPLOAD_DAYS = 7;

/**
 * The bucket Glint stages images in when the account names none: in the account-regional
 * namespace (`<prefix>-<account id>-<region>-an`), which only this account can create, so no one
 * else can take the name first; where S3 has no such namespace, the same name without `-an`.
 */
export function defaultStagingBucket(accountId: string, region: string): string {
  const name = `glint-staging-${accountId}-${region}`;
  return NO_ACCOUNT_REGIONAL_NAMESPACE.has(region) ? name : `${name}-an`;
}

/** Whether `bucket` is named for the account's regional namespace in `region`. */
const inAccountRegionalNamespace = (bucket: string, accountId: string, region: string) =>
  bucket.endsWith(`-${accountId}-${region}-an`);

interface AwsFailure {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}
const statusOf = (error: unknown) => (error as AwsFailure).$metadata?.httpStatusCode;

/** An upload's outcome: the bytes read, and how many parts went out or were already there. */
export interface StagedObject extends ReceivedData {
  partsSent: number;
  partsSkipped: number;
}

/** Cuts a stream into parts of `size` bytes (the last may be shorter), holding one part at a time. */
async function* partsOf(data: AsyncIterable<Buffer>, size: number): AsyncIterable<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of data) {
    let rest = chunk;
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0 || pending.length > 0) yield Buffer.concat(pending);
}

/**
 * One region's staging bucket, owned by the account (every call names it as the expected owner, so
 * S3 refuses a bucket someone else holds): multipart uploads with a SHA-256 checksum per part that
 * resume after a crash, objects checked by size and composite checksum, and their removal.
 */
export class StagingBucket {
  private ready?: Promise<void>;

  constructor(
    private readonly s3: S3Client,
    readonly name: string,
    private readonly region: string,
    private readonly owner: string,
  ) {}

  private get bucket() {
    return { Bucket: this.name, ExpectedBucketOwner: this.owner };
  }

  /** Creates the bucket unless the account has it. */
  ensure(): Promise<void> {
    this.ready ??= this.prepare();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  /**
   * HeadBucket answers 404 when there is no such bucket and 403 when it is another account's (or
   * these keys may not read it); CreateBucket then tells which: `BucketAlreadyExists` is someone
   * else's name, `BucketAlreadyOwnedByYou` the account's own (another daemon created it meanwhile).
   */
  private async prepare(): Promise<void> {
    const refused = await this.s3.send(new HeadBucketCommand(this.bucket)).then(
      () => undefined,
      (error: unknown) => {
        if (statusOf(error) === 404 || statusOf(error) === 403) return error;
        throw error;
      },
    );
    if (!refused) return;
    try {
      await this.s3.send(
        new CreateBucketCommand({
          Bucket: this.name,
          ...(inAccountRegionalNamespace(this.name, this.owner, this.region)
            ? { BucketNamespace: 'account-regional' }
            : {}),
          ...(this.region !== 'us-east-1'
            ? { CreateBucketConfiguration: { LocationConstraint: this.region as never } }
            : {}),
        }),
      );
    } catch (error) {
      const name = (error as AwsFailure).name;
      if (name === 'BucketAlreadyExists')
        throw new PermissionError(
          `the S3 bucket ${this.name} belongs to another AWS account, so Glint will not stage images in it; ` +
            `set the account's bucket to one that account ${this.owner} owns in ${this.region}`,
          { cause: error, status: 409 },
        );
      // The account's own bucket: created by another daemon since, or one these keys may not list.
      if (name === 'BucketAlreadyOwnedByYou' && statusOf(refused) === 404) return;
      if (name === 'BucketAlreadyOwnedByYou') throw refused;
      throw error;
    }
    await this.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        ...this.bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'glint-abort-incomplete-uploads',
              Status: 'Enabled',
              Filter: { Prefix: 'glint/' },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABANDONED_UPLOAD_DAYS },
            },
          ],
        },
      }),
    );
  }

  /** The newest unfinished multipart upload of `key`, if any. */
  async openUpload(key: string): Promise<string | undefined> {
    const { Uploads } = await this.s3.send(
      new ListMultipartUploadsCommand({ ...this.bucket, Prefix: key }),
    );
    const mine = (Uploads ?? []).filter((u) => u.Key === key && u.UploadId);
    mine.sort((a, b) => (b.Initiated?.getTime() ?? 0) - (a.Initiated?.getTime() ?? 0));
    return mine[0]?.UploadId;
  }

  /** The parts an upload already holds (number → ETag, size, SHA-256) and its checksum algorithm. */
  private async partsHeld(key: string, uploadId: string) {
    const parts = new Map<number, { etag: string; size: number; checksum?: string }>();
    let algorithm: string | undefined;
    let marker: string | undefined;
    do {
      const page = await this.s3.send(
        new ListPartsCommand({
          ...this.bucket,
          Key: key,
          UploadId: uploadId,
          ...(marker ? { PartNumberMarker: marker } : {}),
        }),
      );
      algorithm ??= page.ChecksumAlgorithm;
      for (const part of page.Parts ?? [])
        if (part.PartNumber && part.ETag)
          parts.set(part.PartNumber, {
            etag: part.ETag,
            size: part.Size ?? -1,
            ...(part.ChecksumSHA256 ? { checksum: part.ChecksumSHA256 } : {}),
          });
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
    return { algorithm, parts };
  }

  /**
   * The upload an earlier attempt left for `key`, to carry on with, and the parts it holds. One
   * made without SHA-256 checksums (by an older Glint) cannot take checksummed parts: it is
   * aborted, and the upload starts again.
   */
  private async resumable(key: string) {
    const uploadId = await this.openUpload(key);
    if (!uploadId) return undefined;
    const held = await this.partsHeld(key, uploadId);
    if (held.algorithm === 'SHA256') return { uploadId, parts: held.parts };
    await this.s3.send(
      new AbortMultipartUploadCommand({ ...this.bucket, Key: key, UploadId: uploadId }),
    );
    return undefined;
  }

  /**
   * Writes `data` to `key` as a multipart upload, carrying on with the upload an earlier attempt
   * left: every part is read again, but a part the upload already holds with the same size and
   * SHA-256 is not sent again. Each part goes with its Content-MD5 and SHA-256 checksum, which S3
   * checks against the bytes; the finished object must have the size read and the composite
   * checksum of the parts. ETags are not compared with MD5s: S3 documents them as opaque, and
   * under SSE-KMS they are not.
   */
  async upload(
    key: string,
    data: AsyncIterable<Buffer>,
    size: number | undefined,
    signal?: AbortSignal,
  ): Promise<StagedObject> {
    await this.ensure();
    const earlier = await this.resumable(key);
    const uploadId =
      earlier?.uploadId ??
      (
        await this.s3.send(
          new CreateMultipartUploadCommand({
            ...this.bucket,
            Key: key,
            ChecksumAlgorithm: 'SHA256',
          }),
        )
      ).UploadId!;
    const held = earlier?.parts ?? new Map();
    const whole = createHash('md5');
    const digests: Buffer[] = [];
    const parts: CompletedPart[] = [];
    let bytes = 0;
    let partsSent = 0;
    for await (const part of partsOf(data, partSizeFor(size))) {
      const PartNumber = parts.length + 1;
      whole.update(part);
      bytes += part.length;
      const digest = createHash('sha256').update(part).digest();
      digests.push(digest);
      const ChecksumSHA256 = digest.toString('base64');
      const stored = held.get(PartNumber);
      let ETag = stored?.etag;
      if (!stored || stored.checksum !== ChecksumSHA256 || stored.size !== part.length) {
        const sent = await this.s3.send(
          new UploadPartCommand({
            ...this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber,
            Body: part,
            ContentLength: part.length,
            ContentMD5: createHash('md5').update(part).digest('base64'),
            ChecksumSHA256,
          }),
          { abortSignal: signal },
        );
        ETag = sent.ETag;
        partsSent++;
      }
      parts.push({ PartNumber, ETag, ChecksumSHA256 });
    }
    if (size !== undefined && bytes !== size)
      throw new IntegrityError(`${bytes} bytes arrived for ${key}, ${size} were announced`);
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        ...this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    await this.checkObject(key, bytes, compositeChecksum(digests));
    return { bytes, md5: whole.digest('hex'), partsSent, partsSkipped: parts.length - partsSent };
  }

  private async checkObject(key: string, bytes: number, checksum: string): Promise<void> {
    const head = await this.s3.send(
      new HeadObjectCommand({ ...this.bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    const mismatches: string[] = [];
    if (head.ContentLength !== bytes) mismatches.push(`size ${head.ContentLength} ≠ ${bytes} sent`);
    if (head.ChecksumSHA256 !== checksum)
      mismatches.push(`SHA-256 checksum ${head.ChecksumSHA256 ?? 'none'} ≠ ${checksum}`);
    if (mismatches.length > 0)
      throw new IntegrityError(
        `the staged object ${key} in ${this.name} is not what was sent (${mismatches.join('; ')})`,
      );
  }

  /** Whether `key` is a finished object. */
  async holds(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ ...this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /**
   * Removes the object and any unfinished upload of `key`; true when there was either. A region
   * Glint never staged in (its AMIs all copied there by EC2) has no bucket, so nothing to remove.
   */
  async remove(key: string): Promise<boolean> {
    try {
      return await this.removeFrom(key);
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchBucket') return false;
      throw error;
    }
  }

  private async removeFrom(key: string): Promise<boolean> {
    let found = false;
    for (
      let uploadId = await this.openUpload(key);
      uploadId;
      uploadId = await this.openUpload(key)
    ) {
      await this.s3.send(
        new AbortMultipartUploadCommand({ ...this.bucket, Key: key, UploadId: uploadId }),
      );
      found = true;
    }
    if (await this.holds(key)) {
      await this.s3.send(new DeleteObjectCommand({ ...this.bucket, Key: key }));
      found = true;
    }
    return found;
  }
}
