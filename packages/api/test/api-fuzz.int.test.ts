/**
 * A bounded fuzz of the API as a logged-in user: requests generated from the OpenAPI document
 * (/docs/json) to every route, against the real server, PostgreSQL, Redis and the sandbox's
 * Keystone and Glance. No answer may be a 5xx, the API must stay up, and a request answered with a
 * 4xx must have written nothing: no row of the owned tables changed, no image in Glance.
 *
 * Routes that do real cloud work with valid input are held back from it: uploads and health
 * checks never name the site that exists (see withoutRealIds), and GET /events is left out (a
 * stream that never ends). Every URL a case may carry is on this host or under .invalid, and EC2
 * accounts without endpoints are pointed at a closed port, so no case reaches the Internet; an EC2
 * account's own endpoints are never a service that answers (see fieldUrls).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import fc, { type Arbitrary } from 'fast-check';
import { sandboxCloud } from '../../../test-support/sandbox';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  operationsOf,
  pathOf,
  queryOf,
  toJson,
  valueOf,
  type Operation,
  type Vocabulary,
} from './openapi-arbitraries';
import {
  login,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const runs = 5000;
const cloud1 = sandboxCloud(1);
const images = new CloudImages();
/** Every table whose rows belong to a user. */
const ownedTables = [
  'users',
  'accounts',
  'sites',
  'credentials',
  'images',
  'site_images',
  'placements',
  'jobs',
  'audit_events',
];
/** Where requests may come from in a fuzz case, so its failed logins do not lock out the fixture's. */
const fuzzAddress = '10.77.0.1';

let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let siteId: string;
let operations: Operation[];
let previousAwsEndpoint: string | undefined;

beforeAll(async () => {
  previousAwsEndpoint = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
  // Past a few failed logins from the fuzz's address, logins are refused without asking Keystone,
  // whose password hashing is what a login costs.
  let site: Record<'fuzzed', string>;
  ({ env, server, user, site } = await withSites(
    { fuzzed: 1 },
    { GLINT_LOGIN_FAILURES_PER_ADDRESS: '5' },
  ));
  siteId = site.fuzzed;
  const document = await server.inject({ method: 'GET', url: '/docs/json' });
  operations = operationsOf(document.json()).filter(
    (operation) => !(operation.method === 'GET' && operation.path.startsWith('/api/v1/events')),
  );
});

afterAll(async () => {
  if (previousAwsEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = previousAwsEndpoint;
  await images.close();
  await env?.close();
});

/** One digest of every owned table's rows: equal digests, equal content. */
async function databaseDigest(): Promise<string> {
  const parts = ownedTables.map(
    (table) =>
      `(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${table} t)`,
  );
  const [row] = await env.query<{ digest: string }>(
    `SELECT ${parts.join(" || ':' || ")} AS digest`,
  );
  return row!.digest;
}

interface Case {
  operation: Operation;
  path: string;
  query: string;
  body: { payload: string | Buffer; contentType?: string } | undefined;
}

function multipart(fields: Record<string, unknown>): { payload: string; contentType: string } {
  const boundary = `fuzz${randomBytes(6).toString('hex')}`;
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${
        typeof value === 'string' ? value : toJson(value)
      }\r\n`,
  );
  return {
    payload: `${parts.join('')}--${boundary}--\r\n`,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

const otherContentType = fc.constantFrom(
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  'application/octet-stream',
);

/** The body of a case: per the route's schema, as JSON (or multipart where it may be), or other. */
function bodyOf(operation: Operation, words: Vocabulary): Arbitrary<Case['body']> {
  if (operation.path === '/api/v1/images/upload')
    return fc.record({
      payload: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
      contentType: fc.oneof(
        { weight: 5, arbitrary: fc.constant('application/octet-stream') },
        { weight: 1, arbitrary: otherContentType },
      ),
    });
  const body = operation.body;
  if (!body)
    return fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.record({ payload: fc.constant('{}'), contentType: otherContentType }),
      },
    );
  const value = valueOf(body.schema, words);
  const asMultipart = body.contentTypes.includes('multipart/form-data');
  return fc.oneof(
    {
      weight: 8,
      arbitrary: value.map((v) => ({ payload: toJson(v), contentType: 'application/json' })),
    },
    ...(asMultipart
      ? [
          {
            weight: 3,
            arbitrary: value
              .filter(
                (v): v is Record<string, unknown> =>
                  typeof v === 'object' && v !== null && !Array.isArray(v),
              )
              .map(multipart),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: fc.tuple(value, otherContentType).map(([v, contentType]) => ({
        payload: toJson(v),
        ...(contentType && { contentType }),
      })),
    },
    {
      weight: 1,
      // Cut short, as a client that broke off sends it.
      arbitrary: value.map((v) => ({
        payload: toJson(v).slice(0, -3),
        contentType: 'application/json',
      })),
    },
  );
}

/**
 * Routes never given the fixture's site: an upload to it would stream to Glance and a health check
 * log in to Keystone (cloud work, valid or not), and a delete would leave the other cases no site.
 */
const withoutRealIds = new Set([
  'POST /api/v1/images/upload',
  'GET /api/v1/sites/{id}/health',
  'DELETE /api/v1/sites/{id}',
]);

function caseOf(operation: Operation, words: Vocabulary): Arbitrary<Case> {
  const routeWords = withoutRealIds.has(`${operation.method} ${operation.path}`)
    ? { ...words, ids: [] }
    : words;
  return fc.record({
    operation: fc.constant(operation),
    path: pathOf(operation, routeWords),
    query: queryOf(operation, routeWords),
    body: bodyOf(operation, routeWords),
  });
}

function requestOf(testCase: Case): InjectOptions {
  const { operation, path, query, body } = testCase;
  return {
    method: operation.method as InjectOptions['method'],
    url: query ? `${path}?${query}` : path,
    remoteAddress: fuzzAddress,
    headers: {
      ...user.headers,
      ...(body?.contentType && { 'content-type': body.contentType }),
    },
    ...(body && { payload: body.payload }),
  };
}

function describeCase(testCase: Case, response: LightMyRequestResponse): string {
  const { operation, path, query, body } = testCase;
  const sent = body
    ? ` ${body.contentType ?? '(no type)'} ${String(body.payload).slice(0, 300)}`
    : '';
  return `${operation.method} ${path}${query ? `?${query}` : ''}${sent} → ${response.statusCode} ${response.body.slice(0, 300)}`;
}

/** What the server logged as the cause of a 500, by the request id its reply names. */
function causeOf(response: LightMyRequestResponse): string {
  const requestId = (response.json<{ details?: { requestId?: string } }>().details ?? {}).requestId;
  const line = env.logs.find(
    (text) => text.includes(`"reqId":"${requestId}"`) && text.includes('"err"'),
  );
  return line ? line.slice(0, 1500) : '(nothing)';
}

test(`${runs} generated requests to every route: no 5xx, and nothing written on a 4xx`, async () => {
  const words: Vocabulary = {
    urls: [
      cloud1.authUrl,
      cloud1.glanceUrl,
      'http://127.0.0.1:9/v3',
      'https://keystone.glint-fuzz.invalid:5000/v3',
      'https://images.glint-fuzz.invalid/debian.qcow2',
    ],
    ids: [siteId],
    // An EC2 account's endpoints: where nothing answers, and an OpenStack service, whose answer the
    // AWS SDK cannot read (a 400 naming the endpoints to check, not a failed cloud).
    fieldUrls: {
      endpoints: ['http://127.0.0.1:9/', 'https://sts.glint-fuzz.invalid/', cloud1.authUrl],
    },
  };
  const statuses = new Map<number, number>();
  const byRoute = new Map<string, number>();
  const names = new Set<string>();
  let digest = await databaseDigest();
  // A logout that succeeds costs a new login at Keystone: it is tried a fifth as often.
  const arbitrary = fc.oneof(
    ...operations.map((operation) => ({
      arbitrary: caseOf(operation, words),
      weight: operation.path === '/api/v1/auth/logout' ? 1 : 5,
    })),
  );

  await fc.assert(
    fc.asyncProperty(arbitrary, async (testCase) => {
      const response = await server.inject(requestOf(testCase));
      const status = response.statusCode;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const route = `${testCase.operation.method} ${testCase.operation.path}`;
      byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
      for (const name of new URLSearchParams(testCase.query).getAll('name')) names.add(name);
      if (status >= 500)
        throw new Error(`a 5xx: ${describeCase(testCase, response)}; logged: ${causeOf(response)}`);
      if (status >= 400) {
        if ((await databaseDigest()) !== digest)
          throw new Error(`a ${status} changed the database: ${describeCase(testCase, response)}`);
        return;
      }
      // A logout ends the fixture's session: start another, as the user would.
      if (route === 'POST /api/v1/auth/logout') user = await login(server);
      digest = await databaseDigest();
    }),
    { numRuns: runs, endOnFailure: true },
  );

  const tried = [...statuses.values()].reduce((sum, n) => sum + n, 0);
  console.log(
    `API fuzz: ${tried} cases over ${byRoute.size} routes; by status: ${[...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}×${n}`)
      .join(', ')}`,
  );
  expect(tried).toBe(runs);
  expect(byRoute.size).toBe(operations.length);
  expect([...statuses.keys()].every((status) => status < 500)).toBe(true);

  // Still alive, and the session still works.
  const me = await server.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { cookie: user.cookie },
  });
  expect(me.statusCode).toBe(200);
  // No image in Glance under any name a request carried.
  const made: string[] = [];
  for await (const image of images.adapter(cloud1).listImages())
    if (names.has(image.name)) made.push(image.name);
  expect(made).toEqual([]);
});
