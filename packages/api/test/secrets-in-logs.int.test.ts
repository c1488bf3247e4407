/**
 * Secrets in logs: a Keystone that echoes the login it was sent puts the password into its reply
 * JSON-escaped (or URL-encoded), where a scrub of the literal password does not find it. No real
 * Keystone here echoes passwords, so a stand-in (mock) Keystone does, and the API's logs and
 * replies are searched for any trace of the password.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { outboundAllow, sandboxCloud } from '../../../test-support/sandbox';
import {
  login,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

/** Unique, and the same in every encoding: what must never show up. */
const core = randomBytes(12).toString('hex');
/** A password with a double quote, a backslash and a tab, which every escaping changes. */
const password = `Gl"int\\pw\t${core}`;

let echoing: Server;
let echoUrl: string;
let env: TestEnvironment;

beforeAll(async () => {
  // Answers every login with 400 and a message quoting the request body as it came (the password
  // JSON-escaped) and the password URL-encoded.
  echoing = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const sent = /"(?:password|secret)":\s*"((?:[^"\\]|\\.)*)"/.exec(body)?.[1] ?? '';
      const secret = sent ? (JSON.parse(`"${sent}"`) as string) : '';
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: {
            code: 400,
            title: 'Bad Request',
            message: `Invalid input for the request ${body} (as a form: password=${encodeURIComponent(secret)})`,
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => echoing.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echoing.address() as AddressInfo).port}/v3`;
  env = await testEnvironment();
});

afterAll(async () => {
  await env?.close();
  await new Promise((resolve) => echoing?.close(resolve));
});

/** Fails when the password, in any form, is in the logs or the reply. */
function expectNoTrace(reply: string): void {
  expect(env.logs.length).toBeGreaterThan(0);
  const logs = env.logs.join('');
  expect(logs.includes(core)).toBe(false);
  expect(reply.includes(core)).toBe(false);
}

// The outbound policy lets the sandbox through, and the stand-in on loopback too.
const allowEcho = () => ({ GLINT_OUTBOUND_ALLOW: outboundAllow(echoUrl) });

test('a home Keystone that echoes the login gets no password into the logs or the reply', async () => {
  const server = await env.start({ GLINT_KEYSTONE_URL: echoUrl, ...allowEcho() });
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'demo', password, project: 'demo' },
  });
  expect(response.statusCode).toBe(400);
  expect(response.json()).toMatchObject({ error: 'invalid_login' });
  expectNoTrace(response.body);
});

describe('a site whose Keystone echoes the login', () => {
  let server: FastifyInstance;
  let demo: Session;

  beforeAll(async () => {
    server = await env.start(allowEcho());
    demo = await login(server);
  });

  /** Adds the demo project of the Keystone at `authUrl` as a site, with `credential`. */
  const addSite = (authUrl: string, credential: object) =>
    server.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: demo.headers,
      payload: {
        type: 'openstack',
        name: 'echo',
        config: {
          authUrl,
          projectName: 'demo',
          projectDomainName: 'Default',
          userDomainName: 'Default',
        },
        credential,
      },
    });

  const credentials = {
    password: { kind: 'password', username: 'demo', password },
    'application credential': { kind: 'application_credential', id: 'ac-1', secret: password },
  };

  test.each(Object.entries(credentials))(
    'gets no %s into the logs or the reply',
    async (_kind, credential) => {
      const response = await addSite(echoUrl, credential);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expectNoTrace(response.body);
    },
  );

  test('a wrong password at a real Keystone is still reported as one', async () => {
    const response = await addSite(sandboxCloud(1).authUrl, credentials.password);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ error: 'site_login_rejected' });
    expectNoTrace(response.body);
  });
});
