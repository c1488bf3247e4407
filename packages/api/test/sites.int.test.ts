import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { outboundAllow, sandboxCloud, sandboxDir } from '../../../test-support/sandbox';
import {
  login,
  siteBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const cloud1 = sandboxCloud(1);
const cloud2 = sandboxCloud(2);
const cloud3 = sandboxCloud(3);
const demoPassword = cloud1.users.demo.password;

/** A sandbox openrc file as Horizon hands them out: it prompts for the password instead of holding it. */
function horizonOpenrc(cloud: number): string {
  const file = readFileSync(join(sandboxDir, `cloud${cloud}`, 'demo-openrc.sh'), 'utf8');
  return file.replace(
    /^export OS_PASSWORD=.*$/m,
    'echo "Please enter your OpenStack Password: "\nread -sr OS_PASSWORD_INPUT\nexport OS_PASSWORD=$OS_PASSWORD_INPUT',
  );
}

let env: TestEnvironment;
let server: FastifyInstance;
let demo: Session;

beforeAll(async () => {
  env = await testEnvironment();
  // 127.0.0.1:1, where nothing listens, is allowed here to see how an unreachable site is told.
  server = await env.start({ GLINT_OUTBOUND_ALLOW: outboundAllow('http://127.0.0.1:1') });
  demo = await login(server, 'demo');
});

afterAll(async () => {
  await env?.close();
});

/** Everything a failed attempt could have written. */
const storedState = () => env.snapshot('sites', 'credentials', 'audit_events');

async function createFromOpenrc(name: string, password = demoPassword) {
  return server.inject({
    method: 'POST',
    url: '/api/v1/sites/openrc',
    headers: demo.headers,
    payload: { name, openrc: horizonOpenrc(1), password },
  });
}

describe('adding a site', () => {
  test('from a real sandbox demo-openrc.sh plus its password', async () => {
    const response = await createFromOpenrc('cloud1-openrc');
    expect(response.statusCode).toBe(201);
    const site = response.json();
    expect(site).toMatchObject({
      type: 'openstack',
      name: 'cloud1-openrc',
      config: {
        authUrl: cloud1.authUrl,
        region: cloud1.region,
        interface: 'public',
        projectName: 'demo',
        projectDomainName: 'Default',
        userDomainName: 'Default',
      },
      credential: {
        kind: 'password',
        username: 'demo',
        login: 'demo',
        validatedAt: expect.any(String),
      },
      warnings: expect.any(Array),
    });
    expect(response.body).not.toContain(demoPassword);

    const listed = await server.inject({
      method: 'GET',
      url: '/api/v1/sites',
      headers: { cookie: demo.cookie },
    });
    expect(listed.json().sites.map((s: { id: string }) => s.id)).toContain(site.id);
    const [event] = await env.query(
      'SELECT action, details FROM audit_events WHERE target_id = $1',
      [site.id],
    );
    expect(event).toEqual({
      action: 'site.created',
      details: { name: 'cloud1-openrc', type: 'openstack' },
    });
  });

  test('from an openrc file uploaded as multipart/form-data', async () => {
    const form = new FormData();
    form.append('name', 'cloud2-upload');
    form.append('password', cloud2.users.demo.password);
    form.append('openrc', new Blob([horizonOpenrc(2)]), 'demo-openrc.sh');
    const request = new Request('http://glint.invalid/', { method: 'POST', body: form });
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/sites/openrc',
      headers: { ...demo.headers, 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      name: 'cloud2-upload',
      config: { authUrl: cloud2.authUrl, region: cloud2.region },
    });
  });

  test('from a clouds.yaml entry with its password in secure.yaml', async () => {
    const u = cloud3.users.demo;
    const cloudsYaml = [
      'clouds:',
      '  other:',
      '    auth: {auth_url: "http://127.0.0.1:1/v3"}',
      '  sandbox3:',
      '    region_name: ' + cloud3.region,
      '    auth:',
      `      auth_url: ${cloud3.authUrl}`,
      `      username: ${u.username}`,
      `      project_name: ${u.projectName}`,
      '      user_domain_name: Default',
      '      project_domain_name: Default',
    ].join('\n');
    const secureYaml = `clouds:\n  sandbox3:\n    auth:\n      password: "${u.password}"\n`;
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/sites/clouds-yaml',
      headers: demo.headers,
      payload: { name: 'cloud3-yaml', cloudsYaml, secureYaml, cloud: 'sandbox3' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      config: { authUrl: cloud3.authUrl, region: cloud3.region },
      credential: { username: 'demo' },
    });
    expect(response.body).not.toContain(u.password);
  });

  test('from explicit fields', async () => {
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: demo.headers,
      payload: siteBody('cloud2-fields', cloud2),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      name: 'cloud2-fields',
      config: { authUrl: cloud2.authUrl },
      warnings: [],
    });
  });
});

describe('a credential that does not log in is refused, and nothing is stored', () => {
  test('a wrong password', async () => {
    const before = await storedState();
    const response = await createFromOpenrc('wrong-password', 'not-the-password');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: 'site_login_rejected',
      message: expect.stringContaining('Keystone'),
    });
    expect(response.body).not.toContain('not-the-password');
    expect(await storedState()).toEqual(before);
  });

  test('an endpoint where nothing answers', async () => {
    const before = await storedState();
    const site = siteBody('unreachable', cloud2);
    site.config.authUrl = 'http://127.0.0.1:1/v3';
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: demo.headers,
      payload: site,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: 'site_unreachable',
      message: expect.stringContaining('127.0.0.1:1'),
    });
    expect(await storedState()).toEqual(before);
  });

  test('a catalog without an image service', async () => {
    const before = await storedState();
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: demo.headers,
      payload: siteBody('no-glance', cloud1, 'noimage'),
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: 'site_has_no_image_service',
      message: expect.stringContaining('image'),
    });
    expect(response.body).not.toContain(cloud1.users.noimage.password);
    expect(await storedState()).toEqual(before);
  });
});

test('the stored credential is ciphertext: the password is in it in no encoding', async () => {
  const created = await createFromOpenrc('ciphertext-check');
  expect(created.statusCode).toBe(201);
  const [row] = await env.query<{
    json: string;
    nonce: Buffer;
    ciphertext: Buffer;
    auth_tag: Buffer;
  }>(
    'SELECT row_to_json(c)::text AS json, nonce, ciphertext, auth_tag FROM credentials c WHERE site_id = $1',
    [created.json().id],
  );
  const raw = Buffer.concat([row!.nonce, row!.ciphertext, row!.auth_tag]);
  const password = Buffer.from(demoPassword, 'utf8');
  const encodings = [
    demoPassword,
    password.toString('hex'),
    password.toString('hex').toUpperCase(),
    password.toString('base64'),
    password.toString('base64url'),
    Buffer.from(demoPassword, 'utf16le').toString('hex'),
    encodeURIComponent(demoPassword),
    JSON.stringify(demoPassword),
    [...demoPassword].reverse().join(''),
  ];
  const texts = [
    row!.json,
    raw.toString('latin1'),
    raw.toString('hex'),
    raw.toString('base64'),
    raw.toString('base64url'),
  ];
  for (const text of texts) {
    for (const encoded of encodings) expect(text).not.toContain(encoded);
  }
  expect(raw.includes(password)).toBe(false);
  expect(raw.includes(Buffer.from(demoPassword, 'utf16le'))).toBe(false);
  // And yet it is the credential: the site logs in with it.
  const health = await server.inject({
    method: 'GET',
    url: `/api/v1/sites/${created.json().id}/health`,
    headers: { cookie: demo.cookie },
  });
  expect(health.json()).toMatchObject({ ok: true });
});

test('names are unique per owner, whatever their letter case', async () => {
  expect((await createFromOpenrc('Unique-Name')).statusCode).toBe(201);
  const before = await storedState();
  const response = await createFromOpenrc('unique-name');
  expect(response.statusCode).toBe(409);
  expect(response.json()).toEqual({
    error: 'site_name_taken',
    message: expect.stringContaining('unique-name'),
  });
  expect(await storedState()).toEqual(before);
});

describe('an existing site', () => {
  let id: string;
  const url = () => `/api/v1/sites/${id}`;

  beforeAll(async () => {
    id = (await createFromOpenrc('editable')).json().id;
  });

  test('is read back without its secret', async () => {
    const response = await server.inject({
      method: 'GET',
      url: url(),
      headers: { cookie: demo.cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id,
      name: 'editable',
      credential: { kind: 'password', username: 'demo' },
    });
    expect(response.json().credential).not.toHaveProperty('password');
  });

  test('reports its health from a live check', async () => {
    const response = await server.inject({
      method: 'GET',
      url: `${url()}/health`,
      headers: { cookie: demo.cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      ok: true,
      latencyMs: expect.any(Number),
      detail: expect.any(String),
      checkedAt: expect.any(String),
    });
  });

  test('is renamed', async () => {
    const response = await server.inject({
      method: 'PATCH',
      url: url(),
      headers: demo.headers,
      payload: { name: 'renamed' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id, name: 'renamed' });
  });

  test('keeps its credential when a new one does not log in', async () => {
    const before = await storedState();
    const response = await server.inject({
      method: 'PATCH',
      url: url(),
      headers: demo.headers,
      payload: { credential: { kind: 'password', username: 'demo', password: 'wrong-again' } },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toBe('site_login_rejected');
    expect(await storedState()).toEqual(before);
  });

  test('takes a new credential that logs in, re-encrypted', async () => {
    const [before] = await env.query<{ ciphertext: Buffer }>(
      'SELECT ciphertext FROM credentials WHERE site_id = $1',
      [id],
    );
    const response = await server.inject({
      method: 'PATCH',
      url: url(),
      headers: demo.headers,
      payload: { credential: { kind: 'password', username: 'demo', password: demoPassword } },
    });
    expect(response.statusCode).toBe(200);
    const [after] = await env.query<{ ciphertext: Buffer }>(
      'SELECT ciphertext FROM credentials WHERE site_id = $1',
      [id],
    );
    expect(after!.ciphertext.equals(before!.ciphertext)).toBe(false);
  });

  test('takes new settings after checking them with the stored credential', async () => {
    const { config } = siteBody('x', cloud1);
    const moved = await server.inject({
      method: 'PATCH',
      url: url(),
      headers: demo.headers,
      payload: { config: { ...config, authUrl: 'http://127.0.0.1:1/v3' } },
    });
    expect(moved.statusCode).toBe(422);
    expect(moved.json().error).toBe('site_unreachable');
    const response = await server.inject({
      method: 'PATCH',
      url: url(),
      headers: demo.headers,
      payload: { config: { ...config, interface: 'public' } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().config).toEqual({ ...config, interface: 'public' });
  });

  test('is deleted, with its credential, and is gone afterwards', async () => {
    const response = await server.inject({ method: 'DELETE', url: url(), headers: demo.headers });
    expect(response.statusCode).toBe(204);
    expect(await env.query('SELECT * FROM credentials WHERE site_id = $1', [id])).toEqual([]);
    const gone = await server.inject({
      method: 'GET',
      url: url(),
      headers: { cookie: demo.cookie },
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error).toBe('site_not_found');
    const actions = await env.query<{ action: string }>(
      'SELECT action FROM audit_events WHERE target_id = $1 ORDER BY id',
      [id],
    );
    expect(actions.map((a) => a.action)).toEqual([
      'site.created',
      'site.updated',
      'site.updated',
      'site.updated',
      'site.deleted',
    ]);
  });
});

test('no site password reaches the logs or the audit trail', async () => {
  const audit = JSON.stringify(await env.query('SELECT * FROM audit_events'));
  const logs = env.logs.join('\n');
  for (const secret of [
    demoPassword,
    cloud2.users.demo.password,
    cloud3.users.demo.password,
    cloud1.users.noimage.password,
  ]) {
    expect(logs).not.toContain(secret);
    expect(audit).not.toContain(secret);
  }
});

test('GET /site-types describes every registered site type from its adapter folder, secrets by name only', async () => {
  const response = await server.inject({
    method: 'GET',
    url: '/api/v1/site-types',
    headers: demo.headers,
  });
  expect(response.statusCode).toBe(200);
  const { siteTypes } = response.json() as { siteTypes: { type: string }[] };
  expect(siteTypes.map((type) => type.type).sort()).toEqual(['ec2', 'openstack']);
  expect(siteTypes).toContainEqual({
    type: 'openstack',
    label: 'OpenStack',
    credentialKinds: [
      {
        kind: 'password',
        secretFields: ['password'],
        loginField: 'username',
        loginLabel: 'User name',
        secretLabel: 'password',
      },
      {
        kind: 'application_credential',
        secretFields: ['secret'],
        loginField: 'id',
        loginLabel: 'Application credential ID',
        secretLabel: 'application credential’s secret',
      },
    ],
    configDefaults: { interface: 'public' },
    capabilities: {
      resumableUploads: false,
      readable: true,
      serverSideCopy: true,
      importStage: false,
      releaseNaming: { stableName: 'image-name', duringSwitch: 'one-or-two' },
    },
  });
  expect(siteTypes).toContainEqual(
    expect.objectContaining({
      type: 'ec2',
      capabilities: {
        resumableUploads: true,
        readable: false,
        serverSideCopy: true,
        importStage: true,
        releaseNaming: { stableName: 'parameter', duringSwitch: 'exactly-one' },
      },
    }),
  );
});
