import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether an `Authorization` header carries `Bearer <token>`. Compared as digests in constant
 * time, so neither the token's length nor its prefix shows in the answer time.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const offered = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  return offered !== undefined && timingSafeEqual(digest(offered), digest(token));
}
