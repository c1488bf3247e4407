/**
 * S3's additional checksums on multipart uploads, which Swift 2.30's s3api lacks, SHA-256 only
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html):
 *
 * - CreateMultipartUpload with `x-amz-checksum-algorithm: SHA256` makes an upload whose every part
 *   must carry `x-amz-checksum-sha256`; S3 checks it against the bytes (`BadDigest` and no part
 *   stored when they differ). A part with a checksum on an upload without the algorithm, or without
 *   one on an upload with it, is `InvalidRequest` "Checksum Type mismatch occurred …".
 * - ListParts shows each part's `ChecksumSHA256` and the upload's `ChecksumAlgorithm`.
 * - CompleteMultipartUpload must give each part's `ChecksumSHA256` (else `InvalidRequest`), equal
 *   to the part's (else `InvalidPart`); the object then has the composite checksum, the SHA-256 of
 *   the parts' SHA-256 digests, base64, `-<parts>`, shown by HeadObject/GetObject with
 *   `x-amz-checksum-mode: ENABLED`.
 *
 * The exact texts are those AWS gives, as other S3 implementations recorded them
 * (floci-io/floci#3093, apache/arrow-rs#6793).
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { header, kind, ReplyError, s3Error, type Reply, type S3Call } from './call';

interface Upload {
  /** SHA256 when created with it; else the upload takes no checksums. */
  algorithm?: 'SHA256';
  /** Part number → base64 SHA-256 of the part as stored. */
  parts: Map<number, string>;
  /** The checksums of the parts a CompleteMultipartUpload names, in order. */
  completing?: string[];
}

const partTag = /<Part>([\s\S]*?)<\/Part>/g;
const checksumTag = /<Checksum(?:SHA256|SHA1|CRC32C?|CRC64NVME)>[^<]*<\/Checksum[A-Z0-9]+>/g;
const partNumberOf = (part: string) => Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(part)?.[1]);

export class PartChecksums {
  private readonly uploads = new Map<string, Upload>();
  private readonly objects = new Map<string, string>();

  /** The algorithm a CreateMultipartUpload asks for, until its reply names the upload. */
  private requestedAlgorithm(call: S3Call): Upload['algorithm'] | Reply {
    const algorithm = header(call, 'x-amz-checksum-algorithm')?.toUpperCase();
    if (!algorithm) return undefined;
    if (algorithm === 'SHA256') return 'SHA256';
    return s3Error(
      call,
      501,
      'NotImplemented',
      `this test server implements SHA256 checksums, not ${algorithm}`,
    );
  }

  /** S3's refusal of a part whose checksum does not fit its upload. */
  refuse(call: S3Call): Reply | undefined {
    if (kind.createUpload(call)) {
      const algorithm = this.requestedAlgorithm(call);
      return typeof algorithm === 'object' ? algorithm : undefined;
    }
    if (!kind.uploadPart(call)) return undefined;
    const expected = this.uploads.get(call.query.get('uploadId') ?? '')?.algorithm;
    const given = header(call, 'x-amz-checksum-sha256') ? 'sha256' : undefined;
    if ((expected?.toLowerCase() ?? null) === (given ?? null)) return undefined;
    return s3Error(
      call,
      400,
      'InvalidRequest',
      `Checksum Type mismatch occurred, expected checksum Type: ${expected?.toLowerCase() ?? 'null'}, actual checksum Type: ${given ?? 'null'}`,
    );
  }

  /**
   * A part's body on its way to Swift, its SHA-256 checked against the header: the last chunk is
   * held back until then, so a part that does not match never reaches Swift whole.
   */
  verifying(call: S3Call): Transform | undefined {
    const expected = header(call, 'x-amz-checksum-sha256');
    const upload = this.uploads.get(call.query.get('uploadId') ?? '');
    if (!kind.uploadPart(call) || !expected || !upload) return undefined;
    const hash = createHash('sha256');
    let held: Buffer | undefined;
    return new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        const previous = held;
        held = chunk;
        done(null, previous);
      },
      flush(done) {
        if (hash.digest('base64') !== expected)
          return done(
            new ReplyError(
              s3Error(
                call,
                400,
                'BadDigest',
                'The SHA256 you specified did not match the calculated checksum.',
              ),
            ),
          );
        upload.parts.set(Number(call.query.get('partNumber')), expected);
        done(null, held);
      },
    });
  }

  /**
   * A CompleteMultipartUpload body as Swift takes it (no checksum elements), or S3's refusal when
   * a part's checksum is missing or not the part's.
   */
  completeBody(call: S3Call, body: string): string | Reply {
    const upload = this.uploads.get(call.query.get('uploadId') ?? '');
    if (upload?.algorithm) {
      upload.completing = [];
      for (const [, part] of body.matchAll(partTag)) {
        const number = partNumberOf(part!);
        const given = /<ChecksumSHA256>([^<]*)<\/ChecksumSHA256>/.exec(part!)?.[1];
        if (!given)
          return s3Error(
            call,
            400,
            'InvalidRequest',
            `The upload was created using a sha256 checksum. The complete request must include the checksum for each part. It was missing for part ${number} in the request.`,
          );
        if (upload.parts.get(number) !== given)
          return s3Error(
            call,
            400,
            'InvalidPart',
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          );
        upload.completing.push(given);
      }
    }
    return body.replace(checksumTag, '');
  }

  /** Swift's reply as S3's: checksums added where S3 shows them, and what it made recorded. */
  reply(
    call: S3Call,
    status: number,
    headers: Record<string, string>,
  ): ((body: string) => string) | undefined {
    const uploadId = call.query.get('uploadId') ?? '';
    const upload = this.uploads.get(uploadId);
    const objectKey = `${call.bucket}/${call.key}`;
    if (kind.createUpload(call) && status === 200) {
      const algorithm = this.requestedAlgorithm(call);
      if (algorithm === 'SHA256') headers['x-amz-checksum-algorithm'] = algorithm;
      return (body) => {
        const id = /<UploadId>([^<]+)<\/UploadId>/.exec(body)?.[1];
        if (id)
          this.uploads.set(id, {
            ...(algorithm === 'SHA256' ? { algorithm } : {}),
            parts: new Map(),
          });
        return body;
      };
    }
    if (kind.uploadPart(call) && status === 200 && upload?.algorithm)
      headers['x-amz-checksum-sha256'] = header(call, 'x-amz-checksum-sha256') ?? '';
    if (kind.listParts(call) && status === 200 && upload?.algorithm)
      return (body) =>
        body
          .replace(partTag, (part, inner: string) => {
            const checksum = upload.parts.get(partNumberOf(inner));
            return checksum
              ? `<Part>${inner}<ChecksumSHA256>${checksum}</ChecksumSHA256></Part>`
              : part;
          })
          .replace(
            '</ListPartsResult>',
            '<ChecksumAlgorithm>SHA256</ChecksumAlgorithm></ListPartsResult>',
          );
    if (kind.complete(call) && status === 200)
      return (body) => {
        if (!body.includes('<CompleteMultipartUploadResult') || !upload) return body;
        this.uploads.delete(uploadId);
        if (!upload.algorithm || !upload.completing) return body;
        const digests = upload.completing.map((checksum) => Buffer.from(checksum, 'base64'));
        const composite = `${createHash('sha256').update(Buffer.concat(digests)).digest('base64')}-${digests.length}`;
        this.objects.set(objectKey, composite);
        return body.replace(
          '</CompleteMultipartUploadResult>',
          `<ChecksumSHA256>${composite}</ChecksumSHA256><ChecksumType>COMPOSITE</ChecksumType></CompleteMultipartUploadResult>`,
        );
      };
    if (kind.abort(call) && status < 300) this.uploads.delete(uploadId);
    if ((kind.putObject(call) || kind.deleteObject(call)) && status < 300)
      this.objects.delete(objectKey);
    const composite = this.objects.get(objectKey);
    if (
      kind.readObject(call) &&
      status < 300 &&
      composite &&
      header(call, 'x-amz-checksum-mode') === 'ENABLED'
    ) {
      headers['x-amz-checksum-sha256'] = composite;
      headers['x-amz-checksum-type'] = 'COMPOSITE';
    }
    return undefined;
  }
}
