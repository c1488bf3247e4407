/**
 * 500s on bad numbers (and the other malformed input probing found): numbers PostgreSQL cannot
 * hold, numbers that are not finite, a multipart body cut short, a NUL in a new name. Each is a
 * 400 saying what is wrong, and changes nothing.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import {
  login,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

let env: TestEnvironment;
let server: FastifyInstance;
let demo: Session;
let admin: Session;
let siteId: string;

beforeAll(async () => {
  let site: Record<'numbers', string>;
  ({ env, server, user: demo, site } = await withSites({ numbers: 1 }));
  siteId = site.numbers;
  admin = await login(server, 'admin');
});

afterAll(async () => {
  await env?.close();
});

const database = () =>
  env.snapshot('users', 'sites', 'credentials', 'audit_events', 'images', 'placements', 'jobs');

const get =
  (url: string, session = () => demo): (() => InjectOptions) =>
  () => ({
    method: 'GET',
    url,
    headers: { cookie: session().cookie },
  });

const huge = ['100000000000000000000', '9223372036854775808', '1e308', '1e20'];

const truncatedMultipart = () => {
  const boundary = 'cutshort';
  return {
    method: 'POST' as const,
    url: '/api/v1/sites/openrc',
    headers: { ...demo.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload:
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\ncut\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="openrc"; filename="openrc"\r\n` +
      'Content-Type: text/plain\r\n\r\nexport OS_AUTH_URL=http://keyst',
  };
};

const cases: [string, () => InjectOptions, string][] = [
  ...huge.map((n): [string, () => InjectOptions, string] => [
    `GET /jobs?offset=${n}`,
    get(`/api/v1/jobs?offset=${n}`),
    'querystring/offset must be <= 2147483647',
  ]),
  ['GET /jobs?limit=Infinity', get('/api/v1/jobs?limit=Infinity'), 'finite'],
  ['GET /jobs?offset=-Infinity', get('/api/v1/jobs?offset=-Infinity'), 'finite'],
  ['GET /matrix?offset=1e20', get('/api/v1/matrix?offset=1e20'), 'offset must be <='],
  ['GET /matrix?limit=Infinity', get('/api/v1/matrix?limit=Infinity'), 'finite'],
  ['GET /matrix?offset=Infinity', get('/api/v1/matrix?offset=Infinity'), 'finite'],
  [
    'GET /admin/jobs?offset=1e20 (as an admin)',
    get('/api/v1/admin/jobs?offset=1e20', () => admin),
    'offset must be <=',
  ],
  [
    'GET /admin/jobs?limit=Infinity (as an admin)',
    get('/api/v1/admin/jobs?limit=Infinity', () => admin),
    'finite',
  ],
  [
    'GET /admin/images?offset=9223372036854775808 (as an admin)',
    get('/api/v1/admin/images?offset=9223372036854775808', () => admin),
    'offset must be <=',
  ],
  [
    'GET /admin/images?limit=Infinity (as an admin)',
    get('/api/v1/admin/images?limit=Infinity', () => admin),
    'finite',
  ],
  [
    'an upload of size 1e20',
    () => ({
      method: 'POST',
      url: `/api/v1/images/upload?site=${siteId}&name=bad-numbers&diskFormat=raw&size=1e20`,
      headers: { ...demo.headers, 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(1024),
    }),
    'querystring/size must be <= 9007199254740991',
  ],
  [
    'an import expecting 2^63 bytes',
    () => ({
      method: 'POST',
      url: '/api/v1/images/import',
      headers: { ...demo.headers, 'content-type': 'application/json' },
      payload: `{"url":"https://images.example.org/a.img","name":"bad-numbers","diskFormat":"raw","sites":["${siteId}"],"expectedSize":9223372036854775808}`,
    }),
    'body/expectedSize must be <= 9007199254740991',
  ],
  [
    'an import expecting 1e400 bytes (Infinity once parsed)',
    () => ({
      method: 'POST',
      url: '/api/v1/images/import',
      headers: { ...demo.headers, 'content-type': 'application/json' },
      payload: `{"url":"https://images.example.org/a.img","name":"bad-numbers","diskFormat":"raw","sites":["${siteId}"],"expectedSize":1e400}`,
    }),
    'body/expectedSize',
  ],
  ['a truncated multipart body', truncatedMultipart, 'closing boundary'],
  [
    'PATCH /sites/:id with a NUL in the name',
    () => ({
      method: 'PATCH',
      url: `/api/v1/sites/${siteId}`,
      headers: demo.headers,
      payload: { name: 'a\u0000b' },
    }),
    'body/name must not contain control characters',
  ],
  ['a job id holding a NUL', get('/api/v1/jobs/a%00b'), 'params/id must not contain NUL'],
  [
    'a retry of a job id holding a NUL',
    () => ({ method: 'POST', url: '/api/v1/jobs/%00/retry', headers: demo.headers }),
    'params/id must not contain NUL',
  ],
  [
    'a matrix search for a NUL',
    get('/api/v1/matrix?name=a%00b'),
    'querystring/name must not contain control characters',
  ],
];

describe('bad numbers and malformed bodies are a 400 with a message, not a 500', () => {
  test.each(cases)('%s', async (_name, request, says) => {
    const before = await database();
    const response = await server.inject(request());
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      expect.objectContaining({
        error: expect.any(String),
        message: expect.stringContaining(says),
      }),
    );
    expect(await database()).toEqual(before);
  });
});

test('every numeric query parameter of the OpenAPI document has bounds', async () => {
  const document = (await server.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<
      string,
      Record<
        string,
        { parameters?: { in: string; name: string; schema: Record<string, unknown> }[] }
      >
    >;
  }>();
  const numeric = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.values(operations).flatMap((operation) =>
      (operation.parameters ?? [])
        .filter((p) => p.in === 'query' && ['integer', 'number'].includes(p.schema.type as string))
        .map((p) => ({ path, name: p.name, schema: p.schema })),
    ),
  );
  expect(numeric.length).toBeGreaterThan(5);
  for (const { path, name, schema } of numeric) {
    expect([path, name, typeof schema.minimum]).toEqual([path, name, 'number']);
    expect([path, name, typeof schema.maximum]).toEqual([path, name, 'number']);
    expect(schema.maximum as number).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
  }
});

test('malformed URLs get the API’s own error body, saying what is wrong', async () => {
  const notUtf8 = await server.inject(get('/api/v1/sites/%ED%A0%80')());
  expect(notUtf8.statusCode).toBe(400);
  expect(notUtf8.json()).toEqual({
    error: 'malformed_url',
    message: expect.stringContaining('UTF-8'),
  });
  const tooLong = await server.inject(get(`/api/v1/sites/${'x'.repeat(300)}`)());
  expect(tooLong.statusCode).toBe(414);
  expect(tooLong.json()).toEqual({
    error: 'path_parameter_too_long',
    message: expect.stringContaining('longer than any id'),
  });
});
