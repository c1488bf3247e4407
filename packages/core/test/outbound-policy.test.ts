import { networkInterfaces } from 'node:os';
import { ConfigError } from '../src/config';
import { OutboundPolicy, OutboundRefusedError } from '../src/outbound-policy';

const policy = OutboundPolicy.publicOnly();
const on = (host: string, port = 443) => ({ host, port });
const refusal = (address: string, target = on(address)) => policy.refusal(address, target);

/** This host's own addresses but loopback (eth0's here), as os.networkInterfaces() gives them. */
const ownAddresses = Object.values(networkInterfaces())
  .flatMap((entries) => entries ?? [])
  .filter((entry) => !entry.internal)
  .map((entry) => entry.address);

// The addresses the import guard this policy replaced let through, as probing found them.
test.each([
  ['::7f00:1', /an IPv4-compatible address of 127\.0\.0\.1, a loopback address/],
  ['::ffff:0:7f00:1', /an IPv4-translated address of 127\.0\.0\.1, a loopback address/],
  ['64:ff9b:1::a9fe:a9fe', /a local-use NAT64 address/],
  ['2002:7f00:1::', /a 6to4 address of 127\.0\.0\.1, a loopback address/],
])('%s, which the import guard let through, is refused', (address, why) => {
  expect(refusal(address)).toMatch(why);
});

test("this host's own addresses (eth0's, which the import guard let through) are refused", () => {
  expect(ownAddresses.length).toBeGreaterThan(0);
  for (const address of ownAddresses)
    expect([address, refusal(address)]).toEqual([address, expect.any(String)]);
});

const categories: [string, string[], RegExp][] = [
  ['loopback', ['127.0.0.1', '127.255.0.9', '::1'], /loopback/],
  ['link-local', ['169.254.169.254', '169.254.0.1', 'fe80::1', 'fe80::1%eth0'], /link-local/],
  ['private', ['10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.1.1'], /private/],
  ['unique-local', ['fd12:3456::1', 'fc00::1', 'fd00:ec2::254'], /unique-local/],
  ['carrier-grade NAT', ['100.64.0.1', '100.127.255.254'], /carrier-grade NAT/],
  ['multicast', ['224.0.0.1', '239.255.255.250', 'ff02::1'], /multicast/],
  ['unspecified', ['0.0.0.0', '0.1.2.3', '::'], /unspecified/],
  ['broadcast', ['255.255.255.255'], /broadcast/],
  [
    'reserved',
    [
      '192.0.0.8',
      '192.0.2.1',
      '198.18.0.1',
      '198.51.100.7',
      '203.0.113.9',
      '240.0.0.1',
      '2001:db8::1',
    ],
    /reserved/,
  ],
  [
    'IPv4-mapped',
    ['::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:10.0.0.1', '::ffff:7f00:1'],
    /loopback|link-local|private/,
  ],
  ['IPv4-compatible', ['::7f00:2', '::a9fe:a9fe', '::a00:1'], /IPv4-compatible address of/],
  ['IPv4-translated', ['::ffff:0:a9fe:a9fe', '::ffff:0:a00:1'], /IPv4-translated address of/],
  ['NAT64 of internal', ['64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b::c0a8:101'], /NAT64/],
  ['local-use NAT64', ['64:ff9b:1::808:808', '64:ff9b:1:ffff::1'], /local-use NAT64/],
  [
    '6to4 of internal',
    ['2002:a9fe:a9fe::1', '2002:a00:1::', '2002:c0a8:101::5'],
    /6to4 address of/,
  ],
  // Teredo: server 65.54.227.120 (public); the client is the last 32 bits inverted.
  [
    'Teredo of internal',
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', '2001:0:4136:e378::f5ff:fffe'],
    /a Teredo address of (127\.0\.0\.1|10\.0\.0\.1)/,
  ],
];

describe.each(categories)('%s addresses are refused', (_category, addresses, why) => {
  test.each(addresses)('%s', (address) => {
    expect(refusal(address)).toMatch(why);
  });
});

test.each([
  '8.8.8.8',
  '1.1.1.1',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
])('public address %s is allowed, also when an IPv6 form carries it', (address) => {
  expect(refusal(address)).toBeUndefined();
});

describe('GLINT_OUTBOUND_ALLOW', () => {
  const allow = OutboundPolicy.fromSetting(
    '10.20.0.0/16, fd00:5::/32, 127.0.0.1:15010, keystone.internal:5000, [::1]:9292, 127.0.0.0/8',
  );

  test('a network opens its addresses on every port', () => {
    expect(allow.refusal('10.20.3.4', on('10.20.3.4', 22))).toBeUndefined();
    expect(allow.refusal('fd00:5::9', on('fd00:5::9', 9292))).toBeUndefined();
    expect(allow.refusal('10.21.3.4', on('10.21.3.4'))).toMatch(/private/);
  });

  test('a host:port pair opens that address or name on that port only', () => {
    expect(allow.refusal('127.0.0.1', on('127.0.0.1', 15010))).toBeUndefined();
    expect(allow.refusal('127.0.0.1', on('localhost', 15010))).toBeUndefined();
    expect(allow.refusal('::1', on('::1', 9292))).toBeUndefined();
    expect(allow.refusal('10.9.9.9', on('keystone.internal', 5000))).toBeUndefined();
    expect(allow.refusal('10.9.9.9', on('KEYSTONE.internal.', 5000))).toBeUndefined();
    expect(allow.refusal('10.9.9.9', on('keystone.internal', 5001))).toMatch(/private/);
    expect(allow.refusal('10.9.9.9', on('other.internal', 5000))).toMatch(/private/);
  });

  test("a network never opens loopback nor this host's own addresses; only host:port does", () => {
    expect(allow.refusal('127.0.0.1', on('127.0.0.1', 6379))).toMatch(/loopback/);
    expect(allow.refusal('127.0.0.1', on('127.0.0.1', 5432))).toMatch(/loopback/);
    const own = ownAddresses[0]!;
    const wide = OutboundPolicy.parse(['0.0.0.0/0', '::/0']);
    expect(wide.refusal(own, on(own, 80))).toMatch(/this host's own network interfaces/);
    expect(wide.refusal('8.8.8.8', on('8.8.8.8'))).toBeUndefined();
    expect(
      OutboundPolicy.parse([`${own.includes(':') ? `[${own}]` : own}:80`]).refusal(
        own,
        on(own, 80),
      ),
    ).toBeUndefined();
  });

  test.each([
    ['10.0.0.0/33', /"10\.0\.0\.0\/33" is not a network/],
    ['keystone.internal', /neither a network .* nor a host:port pair/],
    ['keystone.internal:0', /no valid port/],
    ['keystone.internal:http', /no valid port/],
    ['bad_host:80', /names no valid host/],
  ])('%s is refused with a message naming the setting', (entry, message) => {
    const load = () => OutboundPolicy.fromSetting(entry);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^GLINT_OUTBOUND_ALLOW: /);
    expect(load).toThrow(message);
  });
});

describe('checkUrl', () => {
  test.each([
    ['http://127.0.0.1/image.qcow2', /the address 127\.0\.0\.1 is a loopback address/],
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a link-local/],
    ['http://[::1]:8080/x', /the address ::1 is a loopback address.*\[::1\]:8080 must be/],
    ['http://localhost/x', /localhost resolves to a loopback address/],
    ['http://2130706433/', /the address 127\.0\.0\.1 is a loopback/],
    ['http://0x7f.1/', /the address 127\.0\.0\.1 is a loopback/],
    ['http://[::ffff:7f00:1]/', /the address ::ffff:7f00:1 is a loopback/],
    ['ftp://example.org/x', /ftp:\/\/ URLs are refused: Glint fetches only http and https/],
    ['file:///etc/passwd', /file:\/\/ URLs are refused/],
    ['gopher://127.0.0.1:6379/_INFO', /gopher:\/\/ URLs are refused/],
    ['http://user:pw@example.org/x', /user name or password/],
    ['http://glint-no-such-host.invalid/x', /does not resolve/],
  ])('%s is refused', async (url, message) => {
    const attempt = policy.checkUrl(url);
    await expect(attempt).rejects.toBeInstanceOf(OutboundRefusedError);
    await expect(attempt).rejects.toThrow(message);
  });

  test('a refusal names the setting that would change it', async () => {
    await expect(policy.checkUrl('http://10.0.0.1:5000/v3')).rejects.toThrow(
      /10\.0\.0\.1:5000 must be reachable, an operator can allow it in GLINT_OUTBOUND_ALLOW/,
    );
  });

  test('a literal public address passes', async () => {
    await expect(policy.checkUrl('https://8.8.8.8/image')).resolves.toBeUndefined();
  });
});

describe('resolve and lookup, as connections use them', () => {
  test('every address a name resolves to is checked before any is handed out', async () => {
    await expect(policy.resolve(on('localhost', 80))).rejects.toThrow(
      /localhost resolves to a loopback address/,
    );
    const allowLocalhost = OutboundPolicy.parse(['localhost:15010']);
    const addresses = await allowLocalhost.resolve(on('localhost', 15010));
    expect(addresses.map((a) => a.address)).toContain('127.0.0.1');
  });

  test('the lookup hands a net connection only checked addresses, or the refusal', async () => {
    const lookup = (policyOf: OutboundPolicy, port: number, all: boolean) =>
      new Promise<unknown>((resolve) =>
        policyOf.lookup(port)('localhost', { all }, (error, address) => resolve(error ?? address)),
      );
    expect(await lookup(policy, 80, true)).toBeInstanceOf(OutboundRefusedError);
    const allowed = OutboundPolicy.parse(['localhost:80']);
    expect(await lookup(allowed, 80, false)).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(await lookup(allowed, 80, true)).toEqual(
      expect.arrayContaining([expect.objectContaining({ address: '127.0.0.1', family: 4 })]),
    );
    expect(await lookup(allowed, 81, false)).toBeInstanceOf(OutboundRefusedError);
  });
});
