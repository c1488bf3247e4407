/**
 * Buckets encrypted with SSE-KMS by default. S3 documents an object's ETag as opaque: for SSE-C and
 * SSE-KMS objects it is not the MD5 of the data
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html). Swift's ETags are MD5s, so for
 * such a bucket every ETag Swift gives (headers, ListParts, CompleteMultipartUpload, listings) is
 * replaced by an opaque one, stable for the same stored part as S3's is; the ETags a client names
 * in CompleteMultipartUpload are mapped back, and one that is not the part's (an MD5 the client
 * computed) makes the completion fail `InvalidPart`, as it would in S3.
 */
import { createHash, randomBytes } from 'node:crypto';
import { kind, type S3Call } from './call';

const etagTag = /<ETag>(&quot;|")?([0-9a-f]{32})(-\d+)?(&quot;|")?<\/ETag>/g;
/** An ETag no part has: Swift then answers `InvalidPart`. */
const noPart = '0'.repeat(32);

export class KmsEtags {
  private readonly buckets = new Set<string>();
  private readonly salt = randomBytes(16).toString('hex');
  /** Opaque ETag → Swift's. */
  private readonly swiftEtags = new Map<string, string>();

  encrypt(bucket: string): void {
    this.buckets.add(bucket);
  }

  private applies(call: S3Call): boolean {
    return !!call.bucket && this.buckets.has(call.bucket);
  }

  private opaque(md5: string): string {
    const etag = createHash('sha256').update(this.salt).update(md5).digest('hex').slice(0, 32);
    this.swiftEtags.set(etag, md5);
    return etag;
  }

  /** The CompleteMultipartUpload body with the client's ETags as Swift knows them. */
  completeBody(call: S3Call, body: string): string {
    if (!this.applies(call)) return body;
    return body.replace(
      etagTag,
      (_all, open = '', etag: string, parts = '', close = '') =>
        `<ETag>${open}${this.swiftEtags.get(etag) ?? noPart}${parts}${close}</ETag>`,
    );
  }

  /** Swift's reply with opaque ETags, and the encryption S3 reports. */
  reply(call: S3Call, headers: Record<string, string>): ((body: string) => string) | undefined {
    if (!this.applies(call)) return undefined;
    const etag = /^"?([0-9a-f]{32})(-\d+)?"?$/.exec(headers.etag ?? '');
    if (etag) headers.etag = `"${this.opaque(etag[1]!)}${etag[2] ?? ''}"`;
    if (kind.readObject(call) || kind.putObject(call) || kind.uploadPart(call))
      headers['x-amz-server-side-encryption'] = 'aws:kms';
    if (!kind.listParts(call) && !kind.complete(call) && !kind.listObjects(call)) return undefined;
    return (body) =>
      body.replace(
        etagTag,
        (_all, open = '', md5: string, parts = '', close = '') =>
          `<ETag>${open}${this.opaque(md5)}${parts}${close}</ETag>`,
      );
  }
}
