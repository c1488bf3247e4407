import { addressAllowed, checkFetchUrl, parseNetworks, UrlNotAllowedError } from '../src/url-guard';

test.each([
  '127.0.0.1',
  '10.1.2.3',
  '172.16.0.1',
  '192.168.1.1',
  '169.254.169.254',
  '100.64.0.1',
  '0.0.0.0',
  '::1',
  '::',
  'fe80::1',
  'fd00:ec2::254',
  '::ffff:127.0.0.1',
  '::ffff:169.254.169.254',
])('%s is refused', (address) => {
  expect(addressAllowed(address)).toBe(false);
});

test.each(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888'])('%s is allowed', (address) => {
  expect(addressAllowed(address)).toBe(true);
});

test('an allow-list lets chosen internal networks through, and only those', () => {
  const allowed = parseNetworks(['10.20.0.0/16', '::1']);
  expect(addressAllowed('10.20.3.4', allowed)).toBe(true);
  expect(addressAllowed('::1', allowed)).toBe(true);
  expect(addressAllowed('10.21.3.4', allowed)).toBe(false);
  expect(() => parseNetworks(['10.0.0.0/33'])).toThrow(/prefix/);
  expect(() => parseNetworks(['example.org'])).toThrow(/not an IP network/);
});

test.each([
  ['http://127.0.0.1/image.qcow2', /127\.0\.0\.1/],
  ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254/],
  ['http://[::1]:8080/x', /::1/],
  ['http://localhost/x', /internal address/],
  ['ftp://example.org/x', /only http and https/],
  ['http://user:pw@example.org/x', /user name or password/],
  ['http://glint-no-such-host.invalid/x', /does not resolve/],
])('%s is refused', async (url, message) => {
  const attempt = checkFetchUrl(url);
  await expect(attempt).rejects.toBeInstanceOf(UrlNotAllowedError);
  await expect(attempt).rejects.toThrow(message);
});

test('a literal public address passes and is returned', async () => {
  await expect(checkFetchUrl('https://8.8.8.8/image')).resolves.toEqual(['8.8.8.8']);
});
