import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { outboundAllow } from '../../../test-support/sandbox';
import {
  login,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
  user = await login(server, 'demo');
});

afterAll(async () => {
  await env?.close();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const keys = {
  kind: 'ec2_keys',
  accessKeyId: 'AKIAEXAMPLEEXAMPLE12',
  secretAccessKey: 'the-secret-access-key',
};

/** Adds an account whose every endpoint is `endpoint`, which the operator allows (else it is refused before connecting). */
async function addAccountAt(endpoint: string, name: string) {
  const allowing = await env.start({ GLINT_OUTBOUND_ALLOW: outboundAllow(endpoint) });
  return allowing.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: user.headers,
    payload: {
      type: 'ec2',
      name,
      credential: keys,
      settings: { endpoints: { ec2: endpoint, s3: endpoint, sts: endpoint } },
    },
  });
}

test('an EC2 account whose endpoints nobody answers at is refused with 422, the secret not shown, nothing stored', async () => {
  const port = await closedPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const response = await addAccountAt(endpoint, 'unreachable');
  expect(response.statusCode).toBe(422);
  expect(response.json()).toMatchObject({ error: 'site_unreachable' });
  expect(response.json().message).toMatch(/nothing answered/);
  expect(response.body).not.toContain(keys.secretAccessKey);
  expect(await env.query('SELECT * FROM accounts')).toEqual([]);
  expect(await env.query("SELECT * FROM sites WHERE type = 'ec2'")).toEqual([]);
});

test.each([
  // A web page where STS should be: a proxy's login page, or a URL mistyped to another service.
  ['a web page', 'text/html', '<!doctype html><html><body><p>Welcome to nginx!</p></body></html>'],
  ['JSON', 'application/json', '{"status":"ok"}'],
  ['plain text', 'text/plain', 'It works'],
  ['broken XML', 'text/xml', '<GetCallerIdentityResponse><Result></Response>'],
])(
  'an EC2 account whose STS endpoint answers %s, not STS’s XML, is a 400 saying what answered wrong, nothing stored',
  async (_what, type, body) => {
    const page = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': type });
      response.end(body);
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(page.address() as { port: number }).port}`;
    try {
      const response = await addAccountAt(endpoint, 'not-sts');
      expect(response.json()).toMatchObject({ error: 'invalid_site_settings' });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(
        /STS GetCallerIdentity\), .* answered .*not an AWS reply: check the account's endpoints/,
      );
      expect(response.body).not.toContain(keys.secretAccessKey);
      expect(await env.query('SELECT * FROM accounts')).toEqual([]);
    } finally {
      await new Promise((resolve) => page.close(resolve));
    }
  },
);

test.each([
  ['a region that is no region code', { regions: ['Mars'] }, /regions/],
  ['a name with a slash', { name: 'a/b' }, /name/],
  ['no keys', { credential: undefined }, /credential/],
  ['an unknown import mode', { settings: { importMode: 'copy' } }, /importMode/],
  [
    'a staging directory (issue 12 item 1: the operator’s GLINT_CONVERSION_DIR, never an account’s)',
    { settings: { stagingDir: '/root/../etc/cron.d' } },
    /body\/settings has the unknown field \\"stagingDir\\"; remove it/,
  ],
])('%s is a 400 naming the field', async (_what, change, field) => {
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: user.headers,
    payload: { type: 'ec2', name: 'acct', credential: keys, ...change },
  });
  expect(response.statusCode).toBe(400);
  expect(JSON.stringify(response.json())).toMatch(field);
});

test('issue 12 item 1: changing an account’s settings to a staging directory is a 400 naming the field, before the account is even looked up', async () => {
  const response = await server.inject({
    method: 'PATCH',
    url: '/api/v1/accounts/00000000-0000-4000-8000-000000000000',
    headers: user.headers,
    payload: { settings: { stagingDir: '/tmp' } },
  });
  expect(response.statusCode).toBe(400);
  expect(response.json()).toMatchObject({
    error: 'invalid_request',
    details: [{ where: 'body/settings', problem: 'has the unknown field "stagingDir"; remove it' }],
  });
});
