import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

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

/** Networks (`10.0.5.0/24`, `fd00::/8`, a bare address) as a list peer addresses are checked against. */
export function parseNetworks(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefixText] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`"${entry}" is not an IP network (address/prefix)`);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new Error(`"${entry}" has no valid prefix length (0 to ${max})`);
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
