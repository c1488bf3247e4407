/**
 * What S3 does that Swift 2.30's s3api does not, as a layer in the S3 test server's router
 * (../s3-server.ts): bucket owners and `ExpectedBucketOwner` (owners.ts), SHA-256 checksums on
 * multipart uploads (checksums.ts), opaque ETags in SSE-KMS buckets (kms-etags.ts) and lifecycle
 * configurations (lifecycle.ts). A request the layer answers itself, or whose body it rewrites for
 * Swift, has its SigV4 signature checked here; a rewritten one is signed again for Swift.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { parseAuthorization, signatureOf, signedWith } from '../ec2-emulator/sigv4';
import { kind, s3Error, type Reply, type S3Call } from './call';
import { PartChecksums } from './checksums';
import { KmsEtags } from './kms-etags';
import { Lifecycles } from './lifecycle';
import { BucketOwners } from './owners';

export { parseCall, ReplyError, type Reply, type S3Call } from './call';

/** A request going on to Swift: its headers and body, and how Swift's reply becomes S3's. */
export interface Forward {
  headers: IncomingHttpHeaders;
  body: Readable;
  /** Adjusts the reply's headers in place; returns how to rewrite its body, if it must be. */
  reply(status: number, headers: Record<string, string>): ((body: string) => string) | undefined;
}

interface Keys {
  secretAccessKey: string;
  accountId: string;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export class S3Semantics {
  readonly owners: BucketOwners;
  readonly kms = new KmsEtags();
  private readonly checksums = new PartChecksums();
  private readonly lifecycles = new Lifecycles();

  constructor(private readonly keys: Keys) {
    this.owners = new BucketOwners(keys.accountId);
  }

  /** S3's own answer to the request, or the request as it goes on to Swift. */
  async handle(call: S3Call, req: IncomingMessage): Promise<Reply | Forward> {
    const refused = this.owners.refuse(call) ?? this.checksums.refuse(call);
    if (refused) {
      req.resume();
      return refused;
    }
    if (kind.lifecycle(call)) {
      const body = await readAll(req);
      if (!this.signed(call, body)) return this.signatureMismatch(call);
      return this.lifecycles.answer(call, body.toString(), this.owners.exists(call.bucket!));
    }
    let headers = call.headers;
    let body: Readable = req;
    if (kind.complete(call)) {
      const received = await readAll(req);
      if (!this.signed(call, received)) return this.signatureMismatch(call);
      const forSwift = this.checksums.completeBody(call, received.toString());
      if (typeof forSwift !== 'string') return forSwift;
      const rewritten = Buffer.from(this.kms.completeBody(call, forSwift));
      headers = this.signedAgain(call, rewritten);
      body = Readable.from([rewritten]);
    } else {
      const verifying = this.checksums.verifying(call);
      if (verifying) body = req.pipe(verifying);
    }
    return {
      headers,
      body,
      reply: (status, replyHeaders) => {
        if (kind.createBucket(call) && status === 200) this.owners.created(call.bucket!);
        const rewrites = [
          this.checksums.reply(call, status, replyHeaders),
          this.kms.reply(call, replyHeaders),
        ].filter((rewrite) => rewrite !== undefined);
        return rewrites.length
          ? (text) => rewrites.reduce((rewritten, rewrite) => rewrite(rewritten), text)
          : undefined;
      },
    };
  }

  private request(call: S3Call, body: Buffer) {
    return { method: call.method, url: call.url, headers: call.headers, body };
  }

  private signed(call: S3Call, body: Buffer): boolean {
    try {
      const auth = parseAuthorization(call.headers);
      return signedWith(this.request(call, body), auth, this.keys.secretAccessKey);
    } catch {
      return false;
    }
  }

  private signatureMismatch(call: S3Call): Reply {
    return s3Error(
      call,
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }

  /** The headers of a request whose body is now `body`, signed for it with the same key. */
  private signedAgain(call: S3Call, body: Buffer): IncomingHttpHeaders {
    const auth = parseAuthorization(call.headers);
    const payload = call.headers['x-amz-content-sha256'];
    const headers: IncomingHttpHeaders = {
      ...call.headers,
      'content-length': String(body.length),
      ...(typeof payload === 'string' && /^[0-9a-f]{64}$/.test(payload)
        ? { 'x-amz-content-sha256': sha256Hex(body) }
        : {}),
    };
    const signature = signatureOf(
      { ...this.request(call, body), headers },
      auth,
      this.keys.secretAccessKey,
    );
    headers.authorization = call.headers.authorization!.replace(
      /Signature=[0-9a-f]{64}/,
      `Signature=${signature}`,
    );
    return headers;
  }
}
