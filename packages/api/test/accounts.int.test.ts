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

test('an EC2 account whose endpoints nobody answers at is refused with 422, the secret not shown, nothing stored', async () => {
  const port = await closedPort();
  const endpoint = `http://127.0.0.1:${port}`;
  // The operator allows that port; without it the outbound policy refuses it before connecting.
  const allowing = await env.start({ GLINT_OUTBOUND_ALLOW: outboundAllow(endpoint) });
  const response = await allowing.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: user.headers,
    payload: {
      type: 'ec2',
      name: 'unreachable',
      credential: keys,
      settings: { endpoints: { ec2: endpoint, s3: endpoint, sts: endpoint } },
    },
  });
  expect(response.statusCode).toBe(422);
  expect(response.json()).toMatchObject({ error: 'site_unreachable' });
  expect(response.json().message).toMatch(/nothing answered/);
  expect(response.body).not.toContain(keys.secretAccessKey);
  expect(await env.query('SELECT * FROM accounts')).toEqual([]);
  expect(await env.query("SELECT * FROM sites WHERE type = 'ec2'")).toEqual([]);
});

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
