/**
 * Failed logins are limited per user name and per client address, in Redis: a password cannot be
 * guessed through Glint at the speed its Keystone answers.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import {
  loginBody,
  testEnvironment,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const run = randomBytes(4).toString('hex');
let env: TestEnvironment;

beforeAll(async () => {
  env = await testEnvironment();
});

afterAll(async () => {
  await env?.close();
});

/** A login from `address`: the demo user's, with `overrides` (another user name, a wrong password). */
function logIn(
  server: FastifyInstance,
  address: string,
  overrides: Record<string, unknown> = {},
  body = loginBody('demo', overrides),
): Promise<LightMyRequestResponse> {
  return server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: address,
    payload: body,
  });
}

const wrong = { password: 'not-the-password' };

function expectRefused(response: LightMyRequestResponse, windowSeconds: number): void {
  expect(response.statusCode).toBe(429);
  expect(response.json()).toMatchObject({
    error: 'too_many_failed_logins',
    message: expect.stringMatching(/too many failed logins .*try again in \d+ s/),
  });
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

test('wrong passwords for one user name are refused with 429 and Retry-After after the limit (10 by default), even the right one then', async () => {
  const server = await env.start();
  const name = { username: `ghost-${run}` };
  for (let attempt = 1; attempt <= 10; attempt++) {
    const response = await logIn(server, `10.1.0.${attempt}`, { ...name, ...wrong });
    expect(response.statusCode).toBe(401);
  }
  expectRefused(await logIn(server, '10.1.0.99', { ...name, ...wrong }), 900);
  // Refused before Keystone is asked: the right password waits out the window too.
  const demo = await env.start({ GLINT_LOGIN_FAILURES_PER_USER: '2' });
  for (let attempt = 1; attempt <= 2; attempt++)
    expect((await logIn(demo, '10.2.0.1', wrong)).statusCode).toBe(401);
  expectRefused(await logIn(demo, '10.2.0.2'), 900);
  // Other users are not held up.
  expect((await logIn(demo, '10.2.0.1', {}, loginBody('noimage'))).statusCode).toBe(200);
});

test('failures from one address are limited whatever the user names; other addresses still log in', async () => {
  const server = await env.start({ GLINT_LOGIN_FAILURES_PER_ADDRESS: '4' });
  for (let attempt = 1; attempt <= 4; attempt++) {
    const response = await logIn(server, '10.3.0.1', { username: `ghost-${run}-${attempt}` });
    expect(response.statusCode).toBe(401);
  }
  expectRefused(await logIn(server, '10.3.0.1', { username: `ghost-${run}-5` }), 900);
  expect((await logIn(server, '10.3.0.2')).statusCode).toBe(200);
});

test('a login that succeeds clears its user name’s failures', async () => {
  const server = await env.start({
    GLINT_LOGIN_FAILURES_PER_USER: '3',
    GLINT_LOGIN_FAILURES_PER_ADDRESS: '100',
  });
  for (let round = 0; round < 2; round++) {
    for (let attempt = 1; attempt <= 2; attempt++)
      expect((await logIn(server, '10.4.0.1', {}, loginBody('noimage', wrong))).statusCode).toBe(
        401,
      );
    expect((await logIn(server, '10.4.0.1', {}, loginBody('noimage'))).statusCode).toBe(200);
  }
});

test('the counts are in Redis: every API instance refuses alike, until the window ends', async () => {
  const settings = { GLINT_LOGIN_FAILURES_PER_USER: '2', GLINT_LOGIN_FAILURE_WINDOW: '2' };
  const one = await env.start(settings);
  const two = await env.start(settings);
  const name = { username: `ghost-${run}-window`, ...wrong };
  expect((await logIn(one, '10.5.0.1', name)).statusCode).toBe(401);
  expect((await logIn(two, '10.5.0.2', name)).statusCode).toBe(401);
  expectRefused(await logIn(one, '10.5.0.3', name), 2);
  expectRefused(await logIn(two, '10.5.0.4', name), 2);
  const keys = await env.redisKeys();
  expect(keys.filter((key) => key.startsWith('login-failures:'))).not.toHaveLength(0);
  // The user name is kept only as a hash.
  expect(keys.some((key) => key.includes('ghost'))).toBe(false);
  await new Promise((resolve) => setTimeout(resolve, 2100));
  expect((await logIn(two, '10.5.0.5', name)).statusCode).toBe(401);
});
