/**
 * The server-side request forgery guard for URLs Glint fetches on a user's behalf (image imports):
 * only http(s), and every address the host name resolves to must be a public one unless an
 * operator-configured network allows it. The API checks when the import is asked for, and the
 * fetcher must check again when it connects, as DNS may answer differently by then.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Networks no import may reach: loopback, private, link-local (cloud metadata), and the like. */
const FORBIDDEN: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const forbidden = new BlockList();
for (const [network, prefix, family] of FORBIDDEN) forbidden.addSubnet(network, prefix, family);

export class UrlNotAllowedError extends Error {
  constructor(
    message: string,
    readonly address?: string,
  ) {
    super(message);
    this.name = 'UrlNotAllowedError';
  }
}

/** Parses `a.b.c.d/n` and `x::/n` entries (a bare address is a /32 or /128) into a block list. */
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

/** An IPv4 address an IPv6 one embeds (::ffff:a.b.c.d), which must be judged as IPv4. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

export function addressAllowed(address: string, allowed?: BlockList): boolean {
  const plain = unmapped(address);
  const family = isIP(plain) === 4 ? 'ipv4' : 'ipv6';
  if (allowed?.check(plain, family)) return true;
  return !forbidden.check(plain, family);
}

/**
 * Resolves the URL's host and checks every address; returns them for the fetcher to connect to one
 * of exactly these. Throws UrlNotAllowedError naming the first refused address.
 */
export async function checkFetchUrl(text: string, allowed?: BlockList): Promise<string[]> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UrlNotAllowedError(`${text} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UrlNotAllowedError(`only http and https URLs can be imported, not ${url.protocol}`);
  if (url.username || url.password)
    throw new UrlNotAllowedError('URLs with a user name or password cannot be imported');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new UrlNotAllowedError(`the host name ${host} does not resolve`);
    }
  }
  const refused = addresses.find((address) => !addressAllowed(address, allowed));
  if (refused !== undefined)
    throw new UrlNotAllowedError(
      `${host} is at ${refused}, a loopback, private, link-local or otherwise internal address, which imports may not reach`,
      refused,
    );
  return addresses;
}
