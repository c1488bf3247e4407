import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP, type BlockList } from 'node:net';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether an `Authorization` header carries `Bearer <token>`. Compared as digests in constant
 * time, so neither the token's length nor its prefix shows in the answer time.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const offered = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  return offered !== undefined && timingSafeEqual(digest(offered), digest(token));
}

/** Whether a peer address is in one of the networks (an IPv4-mapped IPv6 address counts as IPv4). */
export function inNetworks(address: string | undefined, networks: BlockList): boolean {
  if (!address || isIP(address) === 0) return false;
  return networks.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}
