/**
 * The outbound policy as a tenant meets it through the API: every URL of a site (its Keystone, the
 * Glance its catalog names, an image endpoint override, EC2/S3/STS endpoints) that leads somewhere
 * internal is refused before any connection, with a message that says so and names the setting;
 * an open internal port answers exactly as a closed one; no message repeats the far side's reply.
 * The server runs with the sandbox's allow list (test-environment), as the quickstart does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { hostAddress } from '../../../test-support/host-address';
import { outboundAllow, sandboxCloud } from '../../../test-support/sandbox';
import { startInventoryWorker } from '../../../test-support/inventory-worker';
import {
  login,
  siteBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const cloud1 = sandboxCloud(1);
let env: TestEnvironment;
let server: FastifyInstance;
let demo: Session;

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
  demo = await login(server, 'demo');
});

afterAll(async () => {
  await env?.close();
});

/** Everything a refused site could have written. */
const storedState = () => env.snapshot('sites', 'credentials', 'audit_events', 'accounts');

const addSite = (payload: object, on = server) =>
  on.inject({ method: 'POST', url: '/api/v1/sites', headers: demo.headers, payload });

/** cloud1's site, with these settings changed. */
function cloud1With(name: string, config: Record<string, unknown>) {
  const body = siteBody(name, cloud1);
  return { ...body, config: { ...body.config, ...config } };
}

describe("a site's Keystone at an internal address is refused before any connection, nothing stored", () => {
  test.each([
    ['Redis on loopback', 'http://127.0.0.1:6379/v3'],
    ['PostgreSQL on loopback', 'http://127.0.0.1:5432/v3'],
    ['a loopback port nobody listens on', 'http://127.0.0.1:1/v3'],
    ['the cloud metadata service', 'http://169.254.169.254/latest/v3'],
    ['loopback by name', 'http://localhost:6379/v3'],
    ['an IPv4-compatible IPv6 form of loopback', 'http://[::7f00:1]:6379/v3'],
    ['a local-use NAT64 form of the metadata address', 'http://[64:ff9b:1::a9fe:a9fe]/v3'],
    ["this host's own eth0 address", `http://${hostAddress()}:6379/v3`],
    ['a private address', 'http://10.0.0.1:5000/v3'],
  ])('%s (%s)', async (_what, authUrl) => {
    const before = await storedState();
    const response = await addSite(cloud1With('internal', { authUrl }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'site_address_refused',
      message: expect.stringMatching(
        /^Keystone at .* was not asked to log in .*: .* which Glint does not connect to for its users \(outbound policy\)\. If .* must be reachable, an operator can allow it in GLINT_OUTBOUND_ALLOW/,
      ),
    });
    expect(await storedState()).toEqual(before);
  });

  test('an open internal port (Redis) is told exactly as a closed one, so none can be mapped', async () => {
    const told = async (port: number) => {
      const response = await addSite(
        cloud1With('probe', { authUrl: `http://127.0.0.1:${port}/v3` }),
      );
      return {
        status: response.statusCode,
        ...response.json<{ error: string; message: string }>(),
        message: response.json<{ message: string }>().message.replaceAll(`:${port}`, ':PORT'),
      };
    };
    const [redis, postgres, closed] = await Promise.all([told(6379), told(5432), told(1)]);
    expect(redis).toEqual(closed);
    expect(postgres).toEqual(closed);
  });
});

test("the Glance a Keystone's catalog names is under the policy too", async () => {
  const keystoneOnly = await env.start({
    GLINT_OUTBOUND_ALLOW: `127.0.0.1:${cloud1.keystonePort}`,
  });
  const before = await storedState();
  const response = await addSite(siteBody('catalog', cloud1), keystoneOnly);
  expect(response.statusCode).toBe(400);
  expect(response.json().error).toBe('site_address_refused');
  expect(response.json().message).toMatch(
    new RegExp(`^Glance at http://127\\.0\\.0\\.1:${cloud1.glancePort}/v2/images.* loopback`),
  );
  expect(await storedState()).toEqual(before);
});

describe('an image endpoint override is checked as Glance, under the policy', () => {
  let api: string;

  beforeAll(async () => {
    await server.listen({ host: '127.0.0.1', port: 0 });
    api = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });

  test("pointed at Glint's own API document (/docs/json), as Glance or as Keystone, it is refused as an internal address", async () => {
    const before = await storedState();
    const refused = async (config: Record<string, string>) => {
      const response = await addSite(cloud1With('docs', config));
      return [response.statusCode, response.json<{ error: string }>().error];
    };
    const docs = `${api}/docs/json`;
    expect(await refused({ imageEndpointOverride: docs })).toEqual([400, 'site_address_refused']);
    expect(await refused({ authUrl: docs })).toEqual([400, 'site_address_refused']);
    // With a fragment, Glance's paths would vanish into it: that is refused first.
    expect(await refused({ imageEndpointOverride: `${docs}#` })).toEqual([
      400,
      'invalid_site_settings',
    ]);
    expect(await storedState()).toEqual(before);
  });

  test('pointed there by an operator who allowed that port, it is refused as no Glance', async () => {
    const allowing = await env.start({ GLINT_OUTBOUND_ALLOW: outboundAllow(api) });
    const before = await storedState();
    const response = await addSite(
      cloud1With('docs', { imageEndpointOverride: `${api}/docs` }),
      allowing,
    );
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toMatch(
      /\/docs\/v2\/images\?limit=1 refused to list images \(404\): this is not Glance's image API/,
    );
    expect(await storedState()).toEqual(before);
  });

  test.each([
    [`${cloud1.authUrl}/credentials#`, 400, 'invalid_site_settings', /a query or a fragment/],
    [`${cloud1.authUrl}/credentials?`, 400, 'invalid_site_settings', /a query or a fragment/],
    [`${cloud1.authUrl}#`, 400, 'invalid_site_settings', /a query or a fragment/],
    [`${cloud1.authUrl}/credentials`, 422, 'site_auth_url_wrong', /refused to list images \(404\)/],
  ])(
    "pointed at Keystone's %s, it is refused, without repeating Keystone's reply",
    async (override, status, error, message) => {
      const before = await storedState();
      const response = await addSite(
        cloud1With('credentials', { imageEndpointOverride: override }),
      );
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({ error, message: expect.stringMatching(message) });
      expect(response.json().message).not.toMatch(/requested URL was not found/);
      expect(await storedState()).toEqual(before);
    },
  );
});

test("a wrong password is told as such, without repeating Keystone's reply", async () => {
  const body = siteBody('wrong', cloud1);
  const response = await addSite({
    ...body,
    credential: { ...body.credential, password: 'not-the-password' },
  });
  expect(response.statusCode).toBe(422);
  expect(response.json().error).toBe('site_login_rejected');
  expect(response.json().message).toMatch(
    /refused to log in as user demo .* \(401\): check the username, password/,
  );
  expect(response.json().message).not.toMatch(/requires authentication/);
});

test('an EC2 account whose endpoints are internal is refused before any connection', async () => {
  const before = await storedState();
  const endpoint = 'http://127.0.0.1:6379';
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: demo.headers,
    payload: {
      type: 'ec2',
      name: 'internal',
      credential: {
        kind: 'ec2_keys',
        accessKeyId: 'AKIAEXAMPLEEXAMPLE12',
        secretAccessKey: 'the-secret-access-key',
      },
      settings: { endpoints: { ec2: endpoint, s3: endpoint, sts: endpoint } },
    },
  });
  expect(response.statusCode).toBe(400);
  expect(response.json().error).toBe('site_address_refused');
  expect(response.json().message).toMatch(
    /^checking the access keys \(STS GetCallerIdentity\) was not attempted: the address 127\.0\.0\.1 is a loopback address.*GLINT_OUTBOUND_ALLOW/,
  );
  expect(response.body).not.toContain('the-secret-access-key');
  expect(await storedState()).toEqual(before);
});

describe('a saved site is checked again at every connection', () => {
  /** A far side the test controls, allowed by host:port: Glance-like at first, then not. */
  let far: Server;
  let farUrl: string;
  let answer: object;
  let withFar: FastifyInstance;
  let allowFar: { GLINT_OUTBOUND_ALLOW: string };
  let siteId: string;

  beforeAll(async () => {
    answer = { images: [] };
    far = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => far.listen(0, '127.0.0.1', resolve));
    farUrl = `http://127.0.0.1:${(far.address() as AddressInfo).port}`;
    allowFar = { GLINT_OUTBOUND_ALLOW: outboundAllow(farUrl) };
    withFar = await env.start(allowFar);
    const added = await addSite(cloud1With('far', { imageEndpointOverride: farUrl }), withFar);
    expect(added.statusCode).toBe(201);
    siteId = added.json<{ id: string }>().id;
  });

  afterAll(async () => {
    await new Promise((resolve) => far?.close(resolve));
  });

  const health = async () =>
    (
      await withFar.inject({
        method: 'GET',
        url: `/api/v1/sites/${siteId}/health`,
        headers: { cookie: demo.cookie },
      })
    ).json<{ ok: boolean; detail: string }>();

  test('an image endpoint that answers 200 without images fails the inventory and the health with a clear error', async () => {
    expect(await health()).toMatchObject({ ok: true });
    answer = { versions: [] };
    const worker = await startInventoryWorker(env, allowFar);
    try {
      const failed = new Promise<{ reason: string; retried: boolean }>((resolve) =>
        worker.worker.on('failed', (_job, error) =>
          resolve({ reason: error.message, retried: error.name !== 'UnrecoverableError' }),
        ),
      );
      const refresh = await withFar.inject({
        method: 'POST',
        url: `/api/v1/sites/${siteId}/refresh`,
        headers: demo.headers,
      });
      expect(refresh.statusCode).toBe(202);
      const { reason, retried } = await failed;
      expect(reason).toMatch(
        new RegExp(
          `^Glance at ${farUrl}/v2/images.* answered list images without a list of images`,
        ),
      );
      expect(reason).not.toMatch(/TypeError|Cannot read/);
      expect(retried).toBe(false);
    } finally {
      await worker.close();
    }
    const sick = await health();
    expect(sick.ok).toBe(false);
    expect(sick.detail).toMatch(
      /answered list images without a list of images, so it is not Glance/,
    );
  });

  test('a stored URL that now leads to an internal address is refused at connect time', async () => {
    // What DNS answering differently later, or a row changed behind the API's back, comes to.
    await env.query(
      `UPDATE sites SET config = config || '{"authUrl": "http://localhost:6379/v3"}'::jsonb WHERE id = $1`,
      [siteId],
    );
    const refused = await health();
    expect(refused.ok).toBe(false);
    expect(refused.detail).toMatch(
      /^Keystone at http:\/\/localhost:6379\/v3\/auth\/tokens was not asked to log in .*: localhost resolves to a loopback address.*GLINT_OUTBOUND_ALLOW/,
    );
  });
});
