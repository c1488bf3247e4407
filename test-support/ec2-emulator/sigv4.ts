/**
 * Verifies an AWS Signature Version 4 `Authorization` header the way AWS does: rebuild the canonical
 * request from what arrived, derive the signing key from the secret through the HMAC chain, and
 * compare. The credential scope names the region and the service, which is how one endpoint serves
 * every region and both EC2 and STS. The S3 test server uses `signatureOf` too, for the requests
 * it answers or rewrites itself (test-support/s3-semantics).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors';

export interface SignedRequest {
  method: string;
  /** Path and query string as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const authPattern =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/;

/** Reads the Authorization header; who signed and for which region and service. */
export function parseAuthorization(headers: IncomingHttpHeaders): Authorization {
  const header = headers.authorization;
  if (!header) {
    throw new ApiError(
      'MissingAuthenticationToken',
      'Request is missing Authentication Token',
      401,
    );
  }
  const match = authPattern.exec(header);
  if (!match) {
    throw new ApiError(
      'IncompleteSignature',
      `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${header.split(' ')[0]}`,
      400,
    );
  }
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

// RFC 3986 unreserved characters stay; everything else is %XX, as AWS's canonical form wants.
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(search: string): string {
  const pairs = [...new URLSearchParams(search)].map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`);
  return pairs.sort().join('&');
}

/** Every service but S3 encodes each path segment twice. */
function canonicalPath(path: string, service: string): string {
  const once = (segment: string) => uriEncode(decodeURIComponent(segment));
  return path
    .split('/')
    .map((segment) => (service === 's3' ? once(segment) : uriEncode(once(segment))))
    .join('/');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

export function canonicalRequest(request: SignedRequest, auth: Authorization): string {
  const url = new URL(request.url, 'http://emulator');
  const payloadHash =
    headerValue(request.headers, 'x-amz-content-sha256') || sha256Hex(request.body);
  return [
    request.method,
    canonicalPath(url.pathname, auth.service),
    canonicalQuery(url.search),
    ...auth.signedHeaders.map((name) => `${name}:${headerValue(request.headers, name)}`),
    '',
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/** The signature `secret` gives this request, as hex, over the headers `auth` names. */
export function signatureOf(request: SignedRequest, auth: Authorization, secret: string): string {
  const amzDate = headerValue(request.headers, 'x-amz-date');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    sha256Hex(canonicalRequest(request, auth)),
  ].join('\n');
  const dateKey = hmac(`AWS4${secret}`, auth.date);
  const key = hmac(hmac(hmac(dateKey, auth.region), auth.service), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** Whether `secret` signed this request. */
export function signedWith(request: SignedRequest, auth: Authorization, secret: string): boolean {
  const expected = Buffer.from(signatureOf(request, auth, secret), 'hex');
  const given = Buffer.from(auth.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Throws `SignatureDoesNotMatch` unless `secret` signed this request. */
export function verifySignature(request: SignedRequest, auth: Authorization, secret: string): void {
  const amzDate = headerValue(request.headers, 'x-amz-date');
  if (!amzDate.startsWith(auth.date) || !auth.signedHeaders.includes('host')) {
    throw new ApiError(
      'IncompleteSignature',
      'The request must sign the host header and carry an X-Amz-Date of the credential scope date.',
      400,
    );
  }
  if (!signedWith(request, auth, secret)) {
    throw new ApiError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
}
