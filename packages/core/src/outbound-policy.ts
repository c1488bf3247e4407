/**
 * The outbound policy: where Glint may connect on a user's behalf. Every URL a tenant supplies (an
 * import URL, a site's Keystone, the catalog endpoints that Keystone returns, an image endpoint
 * override, EC2/S3/STS endpoints, and every redirect) is reached only through it, so a tenant can
 * neither make Glint call into the network it runs in nor map that network by its error messages.
 *
 * By default only public addresses pass. Address classes come from ipaddr.js; an IPv6 address that
 * carries an IPv4 one (mapped, compatible, translated, NAT64, 6to4, Teredo) is judged by the IPv4
 * address too. The operator allows more with GLINT_OUTBOUND_ALLOW: CIDRs open networks, but never
 * loopback nor this host's own addresses, which only exact host:port pairs open.
 *
 * The check is made where connections are made: a name is resolved once, every address it resolves
 * to is checked, and the connection goes only to a checked address, so DNS answering differently
 * later changes nothing. A refused address is refused before any connection, so open and closed
 * ports look alike.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import { checkSetting, settingList } from './config/load-settings';

/** The setting that widens the policy, as messages name it. */
export const OUTBOUND_SETTING = 'GLINT_OUTBOUND_ALLOW';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Where a connection goes: the host as the URL names it (a name or an address), and the port. */
export interface OutboundTarget {
  host: string;
  port: number;
}

/** A connection or URL the policy refuses; its message says why and what setting would change it. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
}

/** How messages describe ipaddr.js's ranges. */
const RANGE_WORDS: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address, which reaches this host',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (where cloud metadata services answer)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
  uniqueLocal: 'a unique-local address',
  reserved: 'a reserved address',
  rfc6052: 'a local-use NAT64 address (64:ff9b:1::/48), which leads into this network',
};

/**
 * What an IPv6 address in one of these ranges carries, and where. IPv4-mapped addresses are no
 * IPv6 addresses here: they are parsed as the IPv4 address they are.
 */
const EMBEDDING: Readonly<Record<string, { form: string; ipv4: (p: number[]) => number[][] }>> = {
  rfc6145: { form: 'an IPv4-translated address', ipv4: (p) => [p.slice(6)] },
  '6to4': { form: 'a 6to4 address', ipv4: (p) => [p.slice(1, 3)] },
  // Teredo carries its server, and its client's address inverted.
  teredo: { form: 'a Teredo address', ipv4: (p) => [p.slice(2, 4), p.slice(6).map((x) => ~x)] },
};
const NAT64: [ipaddr.IPv6, number] = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const IPV4_COMPATIBLE: [ipaddr.IPv6, number] = ipaddr.IPv6.parseCIDR('::/96');

function ipv4Of(parts: number[]): ipaddr.IPv4 {
  const [high = 0, low = 0] = parts;
  return new ipaddr.IPv4([(high >> 8) & 255, high & 255, (low >> 8) & 255, low & 255]);
}

/** The IPv4 addresses an IPv6 one carries, and the name of the form, if it carries any. */
function embedded(address: ipaddr.IPv6): { form: string; ipv4: ipaddr.IPv4[] } | undefined {
  const known = EMBEDDING[address.range()];
  if (known) return { form: known.form, ipv4: known.ipv4(address.parts).map(ipv4Of) };
  if (address.match(NAT64))
    return { form: 'a NAT64 address', ipv4: [ipv4Of(address.parts.slice(6))] };
  // ::a.b.c.d, the deprecated IPv4-compatible form; :: and ::1 have ranges of their own.
  if (address.range() === 'unicast' && address.match(IPV4_COMPATIBLE))
    return { form: 'an IPv4-compatible address', ipv4: [ipv4Of(address.parts.slice(6))] };
  return undefined;
}

/** Why an address is not a public one, or undefined when it is. */
function specialUse(address: Address): string | undefined {
  if (address.kind() === 'ipv6') {
    const carried = embedded(address as ipaddr.IPv6);
    if (carried) {
      for (const ipv4 of carried.ipv4) {
        const why = specialUse(ipv4);
        if (why) return `${carried.form} of ${ipv4.toString()}, ${why}`;
      }
      return undefined;
    }
  }
  const range = address.range();
  if (range === 'unicast') return undefined;
  return RANGE_WORDS[range] ?? `a special-purpose address (${range})`;
}

/** An address as a comparable string: IPv4-mapped as IPv4, without a zone. */
function key(address: Address): string {
  return `${address.kind()}:${address.toByteArray().join('.')}`;
}

/** Parses an address, IPv4-mapped ones as the IPv4 address they are. */
function parseAddress(text: string): Address {
  return ipaddr.process(text.replace(/^\[(.*)\]$/, '$1'));
}

/** This host's own addresses, read at every check, as interfaces come and go. */
function interfaceAddresses(): Set<string> {
  const own = new Set<string>();
  for (const entries of Object.values(networkInterfaces()))
    for (const entry of entries ?? []) own.add(key(parseAddress(entry.address.split('%')[0]!)));
  return own;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

function familyNumber(family: LookupOptions['family']): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}

/** One host:port pair of the allow list: an address, or a name as URLs write it. */
interface AllowedEndpoint {
  address?: string;
  name?: string;
  port: number;
}

function parsePort(text: string, entry: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    throw new Error(`"${entry}" has no valid port (1 to 65535)`);
  return port;
}

/** `10.0.0.0/8`, `fd00::/8`, a bare address (one address), `host:port`, `[v6]:port`. */
function parseEntry(entry: string): { network: [Address, number] } | { endpoint: AllowedEndpoint } {
  if (entry.includes('/')) {
    if (!ipaddr.isValidCIDR(entry))
      throw new Error(`"${entry}" is not a network (address/prefix, e.g. 10.20.0.0/16)`);
    const [address, prefix] = ipaddr.parseCIDR(entry);
    return { network: [address, prefix] };
  }
  if (ipaddr.isValid(entry)) {
    const address = ipaddr.parse(entry);
    return { network: [address, address.kind() === 'ipv4' ? 32 : 128] };
  }
  const match = /^(\[[^\]]+\]|[^:]+):([^:]*)$/.exec(entry);
  if (!match)
    throw new Error(
      `"${entry}" is neither a network (10.20.0.0/16) nor a host:port pair (keystone.example.org:5000, [fd00::5]:9292)`,
    );
  const [, host = '', portText = ''] = match;
  const port = parsePort(portText, entry);
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (ipaddr.isValid(bare)) return { endpoint: { address: key(parseAddress(bare)), port } };
  if (host.startsWith('[') || !HOST_NAME.test(host))
    throw new Error(`"${entry}" names no valid host`);
  return { endpoint: { name: host.toLowerCase(), port } };
}

/** A host as URLs and lookups give it: without brackets, lower case, without a final dot. */
function bareHost(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase()
    .replace(/\.$/, '');
}

export class OutboundPolicy {
  private constructor(
    private readonly networks: [Address, number][],
    private readonly endpoints: AllowedEndpoint[],
  ) {}

  /** Public addresses only. */
  static publicOnly(): OutboundPolicy {
    return new OutboundPolicy([], []);
  }

  /** The policy of the setting's text; a ConfigError names the setting and the malformed entry. */
  static fromSetting(text: string): OutboundPolicy {
    return checkSetting(OUTBOUND_SETTING, () => OutboundPolicy.parse(settingList(text)));
  }

  /**
   * The policy of these entries: networks (`10.20.0.0/16`, `fd00::/8`, an address) and host:port
   * pairs (`keystone.internal:5000`, `127.0.0.1:15010`, `[::1]:9292`). Throws an Error naming the
   * first malformed entry.
   */
  static parse(entries: string[]): OutboundPolicy {
    const networks: [Address, number][] = [];
    const endpoints: AllowedEndpoint[] = [];
    for (const entry of entries) {
      const parsed = parseEntry(entry);
      if ('network' in parsed) networks.push(parsed.network);
      else endpoints.push(parsed.endpoint);
    }
    return new OutboundPolicy(networks, endpoints);
  }

  /** Why a connection to `address` for `target` is refused, or undefined when it may be made. */
  refusal(address: string, target: OutboundTarget): string | undefined {
    const parsed = parseAddress(address.split('%')[0]!);
    const name = bareHost(target.host);
    const listed = this.endpoints.some(
      (endpoint) =>
        endpoint.port === target.port &&
        (endpoint.address === key(parsed) || endpoint.name === name),
    );
    if (listed) return undefined;
    const why = specialUse(parsed);
    // Loopback and the unspecified address reach this host whatever its interfaces.
    if (['loopback', 'unspecified'].includes(parsed.range())) return why;
    if (interfaceAddresses().has(key(parsed)))
      return "an address of this host's own network interfaces";
    const opened = this.networks.some(
      ([network, prefix]) => network.kind() === parsed.kind() && parsed.match(network, prefix),
    );
    return opened ? undefined : why;
  }

  /** Throws OutboundRefusedError when the host is an address, not a name, that may not be reached. */
  checkAddress(target: OutboundTarget): void {
    const host = bareHost(target.host);
    if (isIP(host) === 0) return;
    const why = this.refusal(host, target);
    if (why) throw refused(`the address ${host} is`, target, why);
  }

  /**
   * Every address the host resolves to (itself when it is an address), each checked; throws
   * OutboundRefusedError naming what was refused, or the resolver's error when there is no answer.
   */
  async resolve(
    target: OutboundTarget,
    options: Pick<LookupOptions, 'family' | 'hints'> = {},
  ): Promise<LookupAddress[]> {
    const host = bareHost(target.host);
    const family = isIP(host);
    if (family !== 0) {
      this.checkAddress(target);
      return [{ address: host, family }];
    }
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(
        host,
        {
          family: familyNumber(options.family),
          hints: options.hints ?? 0,
          all: true,
          order: 'verbatim',
        },
        (error, found) => (error ? reject(error) : resolve(found)),
      ),
    );
    for (const { address } of addresses) {
      const why = this.refusal(address, target);
      if (why) throw refused(`${host} resolves to`, target, why);
    }
    return addresses;
  }

  /**
   * A name lookup for connections to `port`, for net/tls `lookup` options: it resolves once,
   * checks every address, and hands over only checked ones. Connections to a literal address skip
   * lookups, so they need checkAddress too.
   */
  lookup(port: number): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve({ host: hostname, port }, options).then(
        (addresses) => {
          if (options.all) {
            (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
            return;
          }
          const [first] = addresses;
          callback(null, first!.address, first!.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 0),
      );
    };
  }

  /**
   * Checks a URL before anything is asked of it: http or https, no credentials in it, and every
   * address its host resolves to allowed. Throws OutboundRefusedError saying what is wrong.
   */
  async checkUrl(text: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new OutboundRefusedError(`${text} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OutboundRefusedError(
        `${url.protocol}// URLs are refused: Glint fetches only http and https URLs`,
      );
    if (url.username || url.password)
      throw new OutboundRefusedError(
        'URLs with a user name or password are refused: they would be stored and shown',
      );
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    try {
      await this.resolve({ host: url.hostname, port });
    } catch (error) {
      if (error instanceof OutboundRefusedError) throw error;
      throw new OutboundRefusedError(`the host name ${url.hostname} does not resolve`);
    }
  }
}

function hostPort(target: OutboundTarget): string {
  const host = bareHost(target.host);
  return `${isIP(host) === 6 ? `[${host}]` : host}:${target.port}`;
}

function refused(subject: string, target: OutboundTarget, why: string): OutboundRefusedError {
  return new OutboundRefusedError(
    `${subject} ${why}, which Glint does not connect to for its users (outbound policy). If ` +
      `${hostPort(target)} must be reachable, an operator can allow it in ${OUTBOUND_SETTING} ` +
      "(a host:port pair, or a network such as 10.20.0.0/16, which never opens this host's own addresses)",
  );
}
