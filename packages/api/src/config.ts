import envSchema from 'env-schema';
import { Type, type Static } from '@fastify/type-provider-typebox';
import { normaliseAuthUrl } from '@glint/cloud-adapters';
import type { BlockList } from 'node:net';
import { DEFAULT_JOB_ATTEMPTS, parseNetworks } from '@glint/core';
import { parseKeyring, type Keyring } from '@glint/store';

/** The service's settings as environment variables: names, types and defaults (see README.md). */
const EnvSchema = Type.Object({
  GLINT_HOST: Type.String({ default: '127.0.0.1' }),
  GLINT_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  GLINT_TLS_CERT: Type.Optional(Type.String({ minLength: 1 })),
  GLINT_TLS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  GLINT_TRUST_PROXY: Type.String({ default: 'false' }),
  GLINT_LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  GLINT_BODY_LIMIT: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
  GLINT_DATABASE_URL: Type.String({
    minLength: 1,
    default: 'postgres://postgres@127.0.0.1:5432/glint',
  }),
  GLINT_MIGRATE_ON_START: Type.Boolean({ default: false }),
  GLINT_REDIS_URL: Type.String({ minLength: 1, default: 'redis://127.0.0.1:6379' }),
  GLINT_REDIS_PREFIX: Type.String({ default: 'glint:' }),
  GLINT_KEYSTONE_URL: Type.String({ minLength: 1 }),
  GLINT_KEYSTONE_TIMEOUT: Type.Integer({ minimum: 1, default: 15 }),
  GLINT_ADMIN_ROLES: Type.String({ default: 'admin' }),
  GLINT_SESSION_TTL: Type.Integer({ minimum: 1, default: 8 * 3600 }),
  GLINT_SESSION_SECRET: Type.String({ minLength: 32 }),
  GLINT_COOKIE_SECURE: Type.Enum(['auto', 'always', 'never'], { default: 'auto' }),
  GLINT_TOKEN_CACHE_TTL: Type.Integer({ minimum: 0, default: 300 }),
  GLINT_CREDENTIAL_KEYS: Type.String({ minLength: 1 }),
  GLINT_CREDENTIAL_KEY_ID: Type.String({ minLength: 1 }),
  GLINT_IMPORT_ALLOWED_NETWORKS: Type.String({ default: '' }),
  GLINT_CORS_ORIGINS: Type.String({ default: '' }),
  GLINT_JOB_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_JOB_ATTEMPTS }),
});
type Env = Static<typeof EnvSchema>;

export interface Config {
  host: string;
  port: number;
  /** Files of the certificate chain and key to serve HTTPS with; null behind a TLS-terminating proxy. */
  tls: { certFile: string; keyFile: string } | null;
  /** Fastify's trustProxy: whether to trust proxies, which addresses (a list), or how many hops (a function). */
  trustProxy: boolean | string | ((address: string, hop: number) => boolean);
  logLevel: string;
  bodyLimit: number;
  databaseUrl: string;
  migrateOnStart: boolean;
  redis: { url: string; keyPrefix: string };
  keystone: {
    /** The home Keystone's v3 URL, which users log in to. */
    authUrl: string;
    timeoutMs: number;
    /** Keystone roles that make a user a Glint admin. */
    adminRoles: string[];
  };
  session: {
    ttlSeconds: number;
    /** Keys the CSRF tokens to their session. */
    secret: string;
    /** Cookie `Secure` flag: always, never, or only for requests that came over TLS ('auto'). */
    secureCookie: boolean | 'auto';
  };
  /** At most this long a validated Keystone token is trusted without asking Keystone again. */
  tokenCacheSeconds: number;
  credentialKeys: Keyring;
  /** Internal networks URL imports may reach after all; none by default. */
  importAllowedNetworks: BlockList;
  /** Attempts of a job whose errors may clear, with exponential backoff between them. */
  jobAttempts: number;
  /** Origins (scheme://host[:port]) of dashboards that embed the panel; none by default. */
  corsOrigins: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and checks the configuration from environment variables; throws a ConfigError naming the variable at fault. */
export function loadConfig(environment: Record<string, string | undefined>): Config {
  let env: Env;
  try {
    env = envSchema<Env>({ schema: structuredClone(EnvSchema), data: environment, env: false });
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`);
  }
  return {
    host: env.GLINT_HOST,
    port: env.GLINT_PORT,
    tls: tlsFiles(env),
    trustProxy: parseTrustProxy(env.GLINT_TRUST_PROXY),
    logLevel: env.GLINT_LOG_LEVEL,
    bodyLimit: env.GLINT_BODY_LIMIT,
    databaseUrl: env.GLINT_DATABASE_URL,
    migrateOnStart: env.GLINT_MIGRATE_ON_START,
    redis: { url: env.GLINT_REDIS_URL, keyPrefix: env.GLINT_REDIS_PREFIX },
    keystone: {
      authUrl: keystoneUrl(env.GLINT_KEYSTONE_URL),
      timeoutMs: env.GLINT_KEYSTONE_TIMEOUT * 1000,
      adminRoles: list(env.GLINT_ADMIN_ROLES),
    },
    session: {
      ttlSeconds: env.GLINT_SESSION_TTL,
      secret: env.GLINT_SESSION_SECRET,
      secureCookie: { auto: 'auto' as const, always: true, never: false }[env.GLINT_COOKIE_SECURE],
    },
    tokenCacheSeconds: env.GLINT_TOKEN_CACHE_TTL,
    credentialKeys: keyring(env),
    importAllowedNetworks: importNetworks(env.GLINT_IMPORT_ALLOWED_NETWORKS),
    jobAttempts: env.GLINT_JOB_ATTEMPTS,
    corsOrigins: origins(env.GLINT_CORS_ORIGINS),
  };
}

function keyring(env: Env): Keyring {
  try {
    return parseKeyring(env.GLINT_CREDENTIAL_KEYS, env.GLINT_CREDENTIAL_KEY_ID);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function importNetworks(text: string): BlockList {
  try {
    return parseNetworks(list(text));
  } catch (error) {
    throw new ConfigError(`GLINT_IMPORT_ALLOWED_NETWORKS: ${(error as Error).message}`);
  }
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function tlsFiles(env: Env): Config['tls'] {
  if (!env.GLINT_TLS_CERT && !env.GLINT_TLS_KEY) return null;
  if (!env.GLINT_TLS_CERT || !env.GLINT_TLS_KEY) {
    throw new ConfigError(
      'GLINT_TLS_CERT and GLINT_TLS_KEY go together: set both to serve HTTPS, or neither',
    );
  }
  return { certFile: env.GLINT_TLS_CERT, keyFile: env.GLINT_TLS_KEY };
}

function parseTrustProxy(text: string): Config['trustProxy'] {
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return (_address, hop) => hop < hops;
  }
  return text;
}

function keystoneUrl(text: string): string {
  try {
    return normaliseAuthUrl(text);
  } catch (error) {
    throw new ConfigError(`GLINT_KEYSTONE_URL: ${(error as Error).message}`);
  }
}

/** The comma-separated origins of GLINT_CORS_ORIGINS, each checked to be only an origin. */
function origins(text: string): string[] {
  return list(text).map((origin) => {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError(`GLINT_CORS_ORIGINS: "${origin}" is not a URL`);
    }
    if (url.origin !== origin.replace(/\/$/, ''))
      throw new ConfigError(
        `GLINT_CORS_ORIGINS: "${origin}" is not an origin; give scheme://host[:port] only, e.g. ${url.origin}`,
      );
    return url.origin;
  });
}
