/**
 * One S3 request as the semantics layer sees it (path-style bucket and key, its sub-resources, its
 * headers and signing region), what kind of S3 call it is, and the replies the layer gives itself.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { escapeXml } from '../ec2-emulator/xml';

export interface S3Call {
  method: string;
  /** Path and query string as received, for signatures. */
  url: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The region the request is signed for. */
  region: string;
}

/** An answer the layer gives instead of Swift's. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** An error that carries S3's reply, for streams that fail mid-request. */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`S3 answers ${reply.status}`);
  }
}

export function parseCall(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  region: string,
): S3Call {
  const parsed = new URL(url, 'http://s3');
  const [, bucket, ...key] = parsed.pathname.split('/');
  return {
    method,
    url,
    ...(bucket ? { bucket: decodeURIComponent(bucket) } : {}),
    ...(key.length && key.join('/') ? { key: decodeURIComponent(key.join('/')) } : {}),
    query: parsed.searchParams,
    headers,
    region,
  };
}

export function header(call: S3Call, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The sub-resources named in the query; the SDK's `x-id` names the operation only. */
const subResources = (call: S3Call) => [...call.query.keys()].filter((k) => k !== 'x-id');

/** What an S3 call is, told from its method, path and sub-resources. */
export const kind = {
  createBucket: (c: S3Call) =>
    c.method === 'PUT' && !!c.bucket && !c.key && subResources(c).length === 0,
  lifecycle: (c: S3Call) => !!c.bucket && !c.key && c.query.has('lifecycle'),
  listObjects: (c: S3Call) => c.method === 'GET' && !!c.bucket && !c.key && !c.query.has('uploads'),
  createUpload: (c: S3Call) => c.method === 'POST' && !!c.key && c.query.has('uploads'),
  uploadPart: (c: S3Call) => c.method === 'PUT' && !!c.key && c.query.has('uploadId'),
  listParts: (c: S3Call) => c.method === 'GET' && !!c.key && c.query.has('uploadId'),
  complete: (c: S3Call) => c.method === 'POST' && !!c.key && c.query.has('uploadId'),
  abort: (c: S3Call) => c.method === 'DELETE' && !!c.key && c.query.has('uploadId'),
  putObject: (c: S3Call) => c.method === 'PUT' && !!c.key && !c.query.has('uploadId'),
  readObject: (c: S3Call) =>
    (c.method === 'GET' || c.method === 'HEAD') && !!c.key && !c.query.has('uploadId'),
  deleteObject: (c: S3Call) => c.method === 'DELETE' && !!c.key && !c.query.has('uploadId'),
};

/** S3's error document; a HEAD gets the status alone, as from S3. */
export function s3Error(call: S3Call, status: number, code: string, message: string): Reply {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    ...(call.method === 'HEAD'
      ? {}
      : {
          body:
            `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
            `<Message>${escapeXml(message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`,
        }),
  };
}
