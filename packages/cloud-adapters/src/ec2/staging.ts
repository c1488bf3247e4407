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
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { IntegrityError } from '../errors';
import type { ReceivedData } from './image-mapping';
import { bareEtag, compositeEtag, partSizeFor } from './staging-parts';

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
 * One region's staging bucket: multipart uploads that resume after a crash, objects checked by
 * size and composite ETag, and their removal.
 */
export class StagingBucket {
  private ready?: Promise<void>;

  constructor(
    private readonly s3: S3Client,
    readonly name: string,
    private readonly region: string,
  ) {}

  /** Creates the bucket unless it is there. */
  ensure(): Promise<void> {
    this.ready ??= this.s3.send(new HeadBucketCommand({ Bucket: this.name })).then(
      () => undefined,
      async (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
        if (error.$metadata?.httpStatusCode !== 404 && error.name !== 'NotFound') throw error;
        await this.s3.send(
          new CreateBucketCommand({
            Bucket: this.name,
            ...(this.region !== 'us-east-1'
              ? { CreateBucketConfiguration: { LocationConstraint: this.region as never } }
              : {}),
          }),
        );
      },
    );
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  /** The newest unfinished multipart upload of `key`, if any. */
  async openUpload(key: string): Promise<string | undefined> {
    const { Uploads } = await this.s3.send(
      new ListMultipartUploadsCommand({ Bucket: this.name, Prefix: key }),
    );
    const mine = (Uploads ?? []).filter((u) => u.Key === key && u.UploadId);
    mine.sort((a, b) => (b.Initiated?.getTime() ?? 0) - (a.Initiated?.getTime() ?? 0));
    return mine[0]?.UploadId;
  }

  /** The parts an upload already holds: number → md5 (the part's ETag) and size. */
  private async partsHeld(key: string, uploadId: string) {
    const held = new Map<number, { etag: string; size: number }>();
    let marker: string | undefined;
    do {
      const page = await this.s3.send(
        new ListPartsCommand({
          Bucket: this.name,
          Key: key,
          UploadId: uploadId,
          ...(marker ? { PartNumberMarker: marker } : {}),
        }),
      );
      for (const part of page.Parts ?? [])
        if (part.PartNumber)
          held.set(part.PartNumber, { etag: bareEtag(part.ETag), size: part.Size ?? -1 });
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
    return held;
  }

  /**
   * Writes `data` to `key` as a multipart upload, carrying on with the upload an earlier attempt
   * left: every part is read again, but a part the upload already holds with the same md5 is not
   * sent again. Each part goes with its Content-MD5; the finished object must have the size read
   * and the composite ETag of the parts.
   */
  async upload(
    key: string,
    data: AsyncIterable<Buffer>,
    size: number | undefined,
    signal?: AbortSignal,
  ): Promise<StagedObject> {
    await this.ensure();
    const uploadId =
      (await this.openUpload(key)) ??
      (await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.name, Key: key })))
        .UploadId!;
    const held = await this.partsHeld(key, uploadId);
    const whole = createHash('md5');
    const md5s: Buffer[] = [];
    const parts: Array<{ PartNumber: number; ETag: string }> = [];
    let bytes = 0;
    let partsSent = 0;
    for await (const part of partsOf(data, partSizeFor(size))) {
      const PartNumber = parts.length + 1;
      whole.update(part);
      bytes += part.length;
      const md5 = createHash('md5').update(part).digest();
      md5s.push(md5);
      const hex = md5.toString('hex');
      const earlier = held.get(PartNumber);
      if (!earlier || earlier.etag !== hex || earlier.size !== part.length) {
        const sent = await this.s3.send(
          new UploadPartCommand({
            Bucket: this.name,
            Key: key,
            UploadId: uploadId,
            PartNumber,
            Body: part,
            ContentLength: part.length,
            ContentMD5: md5.toString('base64'),
          }),
          { abortSignal: signal },
        );
        if (bareEtag(sent.ETag) !== hex)
          throw new IntegrityError(
            `S3 stored part ${PartNumber} of ${key} with ETag ${bareEtag(sent.ETag)}, not the md5 ${hex} sent`,
          );
        partsSent++;
      }
      parts.push({ PartNumber, ETag: `"${hex}"` });
    }
    if (size !== undefined && bytes !== size)
      throw new IntegrityError(`${bytes} bytes arrived for ${key}, ${size} were announced`);
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.name,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    await this.checkObject(key, bytes, compositeEtag(md5s));
    return { bytes, md5: whole.digest('hex'), partsSent, partsSkipped: parts.length - partsSent };
  }

  private async checkObject(key: string, bytes: number, etag: string): Promise<void> {
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.name, Key: key }));
    const mismatches: string[] = [];
    if (head.ContentLength !== bytes) mismatches.push(`size ${head.ContentLength} ≠ ${bytes} sent`);
    if (bareEtag(head.ETag) !== etag) mismatches.push(`ETag ${bareEtag(head.ETag)} ≠ ${etag}`);
    if (mismatches.length > 0)
      throw new IntegrityError(
        `the staged object ${key} in ${this.name} is not what was sent (${mismatches.join('; ')})`,
      );
  }

  /** Whether `key` is a finished object. */
  async holds(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.name, Key: key }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return false;
      throw error;
    }
  }

  /** Removes the object and any unfinished upload of `key`; true when there was either. */
  async remove(key: string): Promise<boolean> {
    let found = false;
    for (
      let uploadId = await this.openUpload(key);
      uploadId;
      uploadId = await this.openUpload(key)
    ) {
      await this.s3.send(
        new AbortMultipartUploadCommand({ Bucket: this.name, Key: key, UploadId: uploadId }),
      );
      found = true;
    }
    if (await this.holds(key)) {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.name, Key: key }));
      found = true;
    }
    return found;
  }
}
