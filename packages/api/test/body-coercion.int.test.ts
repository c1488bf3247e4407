/**
 * Type coercion on bodies: JSON says what type a value is, so a body must match the schema as
 * sent. `{"name": 123}` was stored as "123" and `{"name": ["a"]}` as "a". Query strings are text,
 * and their values are still read as the schema's types.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  siteBody,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const cloud1 = sandboxCloud(1);
let env: TestEnvironment;
let server: FastifyInstance;
let demo: Session;
let siteId: string;

beforeAll(async () => {
  let site: Record<'typed', string>;
  ({ env, server, user: demo, site } = await withSites({ typed: 1 }));
  siteId = site.typed;
});

afterAll(async () => {
  await env?.close();
});

const database = () =>
  env.snapshot('sites', 'credentials', 'audit_events', 'images', 'placements', 'jobs');

const bodies: [string, 'POST' | 'PATCH', () => string, unknown, string][] = [
  [
    'a number for a site name',
    'PATCH',
    () => `/api/v1/sites/${siteId}`,
    { name: 123 },
    'body/name must be string',
  ],
  [
    'an array for a site name',
    'PATCH',
    () => `/api/v1/sites/${siteId}`,
    { name: ['a'] },
    'body/name must be string',
  ],
  [
    'a boolean for a site name',
    'PATCH',
    () => `/api/v1/sites/${siteId}`,
    { name: true },
    'body/name must be string',
  ],
  [
    'an array for a self-heal policy',
    'PATCH',
    () => `/api/v1/sites/${siteId}`,
    { selfHeal: ['off'] },
    'body/selfHeal',
  ],
  [
    'a number for a new site’s name',
    'POST',
    () => '/api/v1/sites',
    { ...siteBody('x', cloud1), name: 123 },
    'body/name must be string',
  ],
  [
    'the text "true" for insecure',
    'POST',
    () => '/api/v1/sites',
    { ...siteBody('x', cloud1), config: { ...siteBody('x', cloud1).config, insecure: 'true' } },
    'must be boolean',
  ],
  [
    'a number for wanted',
    'POST',
    () => '/api/v1/plan',
    { changes: [{ image: randomUUID(), site: randomUUID(), wanted: 1 }] },
    'must be boolean',
  ],
  [
    'a string for an expected size',
    'POST',
    () => '/api/v1/images/import',
    {
      url: 'https://8.8.8.8/image.raw',
      name: 'typed',
      diskFormat: 'raw',
      sites: [randomUUID()],
      expectedSize: '1024',
    },
    'body/expectedSize must be integer',
  ],
  [
    'a single site id for a list of sites',
    'POST',
    () => '/api/v1/images/import',
    { url: 'https://8.8.8.8/image.raw', name: 'typed', diskFormat: 'raw', sites: randomUUID() },
    'body/sites must be array',
  ],
];

describe('bodies are not coerced: a value of the wrong type is a 400, and nothing is stored', () => {
  test.each(bodies)('%s', async (_name, method, url, payload, says) => {
    const before = await database();
    const response = await server.inject({
      method,
      url: url(),
      headers: demo.headers,
      payload: payload as object,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'invalid_request',
      message: expect.stringContaining(says),
    });
    expect(await database()).toEqual(before);
  });
});

test('the site keeps its name', async () => {
  const site = await server.inject({
    method: 'GET',
    url: `/api/v1/sites/${siteId}`,
    headers: { cookie: demo.cookie },
  });
  expect(site.json().name).toBe('typed');
});

test('query strings are still read as the schema’s types', async () => {
  const jobs = await server.inject({
    method: 'GET',
    url: '/api/v1/jobs?limit=5&offset=0',
    headers: { cookie: demo.cookie },
  });
  expect(jobs.statusCode).toBe(200);
  expect(jobs.json().page).toEqual({ offset: 0, limit: 5, total: 0 });
  const matrix = await server.inject({
    method: 'GET',
    url: `/api/v1/matrix?conflicts=true&image=${randomUUID()}`,
    headers: { cookie: demo.cookie },
  });
  expect(matrix.statusCode).toBe(200);
  expect(matrix.json().page.total).toBe(0);
});
