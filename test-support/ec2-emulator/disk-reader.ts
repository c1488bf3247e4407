/**
 * What VM Import reads: the disk object in S3, streamed once through sha256, its size counted and its
 * first bytes looked at to tell the format, as the real service validates the disk before converting.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';

export interface S3Access {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface DiskContent {
  size: number;
  sha256: string;
  /** The format the content shows, whatever the request declared. */
  detectedFormat: 'qcow2' | 'raw';
}

const qcow2Magic = Buffer.from('QFI\xfb', 'latin1');

export class DiskReader {
  private readonly s3: S3Client;

  constructor(access: S3Access) {
    this.s3 = new S3Client({
      endpoint: access.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (error) {
      if (
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
      ) {
        return false;
      }
      throw error;
    }
  }

  async read(bucket: string, key: string): Promise<DiskContent> {
    const reply = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    for await (const chunk of reply.Body as Readable) {
      const bytes = chunk as Buffer;
      if (head.length < qcow2Magic.length) head = Buffer.concat([head, bytes.subarray(0, 4)]);
      hash.update(bytes);
      size += bytes.length;
    }
    const detectedFormat = head.subarray(0, 4).equals(qcow2Magic) ? 'qcow2' : 'raw';
    return { size, sha256: hash.digest('hex'), detectedFormat };
  }

  close(): void {
    this.s3.destroy();
  }
}
