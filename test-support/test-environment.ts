/**
 * What an API integration test file runs against: its own PostgreSQL database (created and
 * migrated here, dropped at the end), its own Redis key prefix, and the sandbox's cloud1 Keystone
 * as Glint's home Keystone. Servers it starts log into `logs`, so tests can look for leaked secrets.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { Client, type QueryResultRow } from 'pg';
import { loadConfig } from '../packages/api/src/config';
import { loggerOptions } from '../packages/api/src/logger';
import type { Static } from '@fastify/type-provider-typebox';
import type { Matrix } from '../packages/api/src/schemas/matrix';
import type { ApplyReply } from '../packages/api/src/schemas/placements';
import { buildServer } from '../packages/api/src/server';
import {
  outboundAllow,
  sandboxProjectAdminRoles,
  passwordCredential,
  sandboxCloud,
  sandboxToken,
  siteConfig,
  type SandboxCloud,
} from './sandbox';
import { migratedDatabase } from './test-database';

const redisUrl = 'redis://127.0.0.1:6379';

export type SandboxUserName = keyof SandboxCloud['users'];

export interface TestEnvironment {
  databaseUrl: string;
  redisPrefix: string;
  /** Everything the servers logged, one JSON line each. */
  logs: string[];
  /**
   * The environment variables a server (or daemon) gets, with `overrides` on top; its
   * GLINT_OUTBOUND_ALLOW lets through the sandbox's clouds only (outboundAllow()).
   */
  env(overrides?: Record<string, string>): Record<string, string>;
  /** A ready server (not listening) on this environment; closed by `close()`. */
  start(overrides?: Record<string, string>): Promise<FastifyInstance>;
  /** A query on the test database, outside the API. */
  query<Row extends QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<Row[]>;
  /** The whole content of these tables, to compare before and after something that must change nothing. */
  snapshot(...tables: string[]): Promise<Record<string, unknown[]>>;
  /** Keys under this environment's Redis prefix, without it. */
  redisKeys(): Promise<string[]>;
  /** Milliseconds until a key (without the prefix) expires. */
  redisTtlMs(key: string): Promise<number>;
  close(): Promise<void>;
}

export async function testEnvironment(): Promise<TestEnvironment> {
  const database = await migratedDatabase();
  const databaseUrl = database.url;
  const redisPrefix = `glint-test:${randomBytes(6).toString('hex')}:`;
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const redis = new Redis(redisUrl);
  const servers: FastifyInstance[] = [];
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });

  const baseEnv: Record<string, string> = {
    GLINT_DATABASE_URL: databaseUrl,
    GLINT_REDIS_URL: redisUrl,
    GLINT_REDIS_PREFIX: redisPrefix,
    GLINT_KEYSTONE_URL: sandboxCloud(1).authUrl,
    GLINT_SESSION_SECRET: randomBytes(32).toString('base64'),
    GLINT_CREDENTIAL_KEYS: `test-key:${randomBytes(32).toString('base64')}`,
    GLINT_CREDENTIAL_KEY_ID: 'test-key',
    GLINT_LOG_LEVEL: 'trace',
    // The sandbox's clouds, and nothing else of loopback; tests with servers of their own add them.
    GLINT_OUTBOUND_ALLOW: outboundAllow(),
    GLINT_PROJECT_ADMIN_ROLES: sandboxProjectAdminRoles,
    // The sandbox's admin user, on project admin, is Glint's administrator.
    GLINT_ADMIN_PROJECT: 'admin',
  };
  const env = (overrides: Record<string, string> = {}) => ({ ...baseEnv, ...overrides });

  return {
    databaseUrl,
    redisPrefix,
    logs,
    env,
    async start(overrides) {
      const config = loadConfig(env(overrides));
      const server = buildServer(config, { ...loggerOptions(config.logLevel), stream: logStream });
      servers.push(server);
      await server.ready();
      return server;
    },
    async query<Row extends QueryResultRow>(text: string, values?: unknown[]) {
      return (await db.query<Row>(text, values)).rows;
    },
    async snapshot(...tables) {
      const content: Record<string, unknown[]> = {};
      for (const table of tables)
        content[table] = (await db.query(`SELECT * FROM ${table} ORDER BY 1`)).rows;
      return content;
    },
    async redisKeys() {
      const keys = await redis.keys(`${redisPrefix}*`);
      return keys.map((key) => key.slice(redisPrefix.length));
    },
    async redisTtlMs(key) {
      return redis.pttl(`${redisPrefix}${key}`);
    },
    async close() {
      await Promise.all(servers.map((server) => server.close()));
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await db.end();
      await database.drop();
    },
  };
}

/** Login body for a sandbox user of cloud1, the home Keystone. */
export function loginBody(user: SandboxUserName = 'demo', overrides: Record<string, unknown> = {}) {
  const u = sandboxCloud(1).users[user];
  return { username: u.username, password: u.password, project: u.projectName, ...overrides };
}

/** A logged-in cookie session: the Cookie header to send and its CSRF token. */
export interface Session {
  cookie: string;
  csrfToken: string;
  /** Headers for a state-changing request of this session. */
  headers: { cookie: string; 'x-csrf-token': string };
}

/** The `name=value` pairs of a reply's Set-Cookie headers, as a Cookie header. */
export function cookieHeader(response: LightMyRequestResponse): string {
  return response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

/** Logs a sandbox user of cloud1 in, to their own project or to `project`. */
export async function login(
  server: FastifyInstance,
  user: SandboxUserName = 'demo',
  project?: string,
): Promise<Session> {
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: loginBody(user, project ? { project } : {}),
  });
  if (response.statusCode !== 200)
    throw new Error(`login as ${user} failed: ${response.statusCode} ${response.body}`);
  const cookie = cookieHeader(response);
  const { csrfToken } = response.json<{ csrfToken: string }>();
  return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
}

/** A token straight from the home Keystone, as automation would send it. */
export function keystoneToken(user: SandboxUserName = 'demo'): Promise<string> {
  return sandboxToken(sandboxCloud(1), user);
}

/** A body for POST /api/v1/sites: a sandbox cloud's settings and a user's password. */
export function siteBody(name: string, cloud: SandboxCloud, user: SandboxUserName = 'demo') {
  const { type, ...config } = siteConfig(cloud, user);
  return { type, name, config, credential: passwordCredential(cloud, user) };
}

/**
 * Adds a site per entry, named by its key, on the sandbox cloud of that number; returns their ids.
 * The caller is a cookie session, or `{headers: {'x-auth-token': token}}`.
 */
export async function addSandboxSites<Name extends string>(
  server: FastifyInstance,
  caller: { headers: Record<string, string> },
  clouds: Record<Name, number>,
): Promise<Record<Name, string>> {
  const ids = {} as Record<Name, string>;
  for (const [name, index] of Object.entries(clouds) as [Name, number][]) {
    const created = await server.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: caller.headers,
      payload: siteBody(name, sandboxCloud(index)),
    });
    if (created.statusCode !== 201)
      throw new Error(`adding site ${name} failed: ${created.statusCode} ${created.body}`);
    ids[name] = created.json<{ id: string }>().id;
  }
  return ids;
}

/** What most API tests start from: a server, the demo user logged in, and sites of theirs. */
export interface SitesFixture<Name extends string> {
  env: TestEnvironment;
  server: FastifyInstance;
  user: Session;
  site: Record<Name, string>;
}

/** A test environment with a server (with `overrides`), the demo user, and a site per entry of `clouds`. */
export async function withSites<Name extends string>(
  clouds: Record<Name, number>,
  overrides: Record<string, string> = {},
): Promise<SitesFixture<Name>> {
  const env = await testEnvironment();
  const server = await env.start(overrides);
  const user = await login(server);
  return { env, server, user, site: await addSandboxSites(server, user, clouds) };
}

/** The first matrix row of the session's user whose name contains `name`. */
export async function matrixRow(
  server: FastifyInstance,
  session: Session,
  name: string,
): Promise<Matrix['rows'][number]> {
  const matrix = await server.inject({
    method: 'GET',
    url: `/api/v1/matrix?name=${name}`,
    headers: { cookie: session.cookie },
  });
  return matrix.json<Matrix>().rows[0]!;
}

/** Applies placement changes as the panel does (`PUT /api/v1/placements`); the plan applied. */
export async function applyPlacements(
  server: FastifyInstance,
  session: { headers: Record<string, string> },
  changes: { image: string; site: string; wanted: boolean | null }[],
): Promise<Static<typeof ApplyReply>> {
  const applied = await server.inject({
    method: 'PUT',
    url: '/api/v1/placements',
    headers: session.headers,
    payload: { changes },
  });
  expect(applied.statusCode).toBe(200);
  return applied.json<Static<typeof ApplyReply>>();
}
