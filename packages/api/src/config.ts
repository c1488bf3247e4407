import type { BlockList } from 'node:net';
import { normaliseAuthUrl } from '@glint/cloud-adapters';
import {
  ApiSettings,
  checkSetting,
  ConfigError,
  loadSettings,
  OutboundPolicy,
  parseNetworks,
  settingList,
} from '@glint/core';
import { parseKeyring, type Keyring } from '@glint/store';
import type { RoleSettings } from './roles';

export { ConfigError };

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
  };
  /** The Keystone roles behind a caller's rights. */
  roles: RoleSettings;
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
  /** Where the API may connect for its users (site checks, uploads, import URLs): GLINT_OUTBOUND_ALLOW. */
  outbound: OutboundPolicy;
  /** Attempts of a job whose errors may clear, with exponential backoff between them. */
  jobAttempts: number;
  /** Origins (scheme://host[:port]) of dashboards that embed the panel; none by default. */
  corsOrigins: string[];
  /** Failed logins allowed per user name and per client address within a window of seconds. */
  loginFailures: { perUser: number; perAddress: number; windowSeconds: number };
  /**
   * Who may read /metrics: requests with this bearer token, and direct (unproxied) connections
   * from these networks; neither by default, so /metrics is closed until the operator opens it.
   */
  metrics: { token?: string; allowedNetworks: BlockList };
}

/** Reads and checks the configuration from environment variables; throws a ConfigError naming the variable at fault. */
export function loadConfig(environment: Record<string, string | undefined>): Config {
  const env = loadSettings(ApiSettings, environment);
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
      authUrl: checkSetting('GLINT_KEYSTONE_URL', () => normaliseAuthUrl(env.GLINT_KEYSTONE_URL)),
      timeoutMs: env.GLINT_KEYSTONE_TIMEOUT * 1000,
    },
    roles: {
      reader: settingList(env.GLINT_READER_ROLES),
      member: settingList(env.GLINT_MEMBER_ROLES),
      admin: settingList(env.GLINT_PROJECT_ADMIN_ROLES),
      glintAdmin: env.GLINT_ADMIN_PROJECT
        ? {
            project: env.GLINT_ADMIN_PROJECT,
            projectDomain: env.GLINT_ADMIN_PROJECT_DOMAIN,
            role: env.GLINT_ADMIN_ROLE,
          }
        : null,
    },
    session: {
      ttlSeconds: env.GLINT_SESSION_TTL,
      secret: env.GLINT_SESSION_SECRET,
      secureCookie: { auto: 'auto' as const, always: true, never: false }[env.GLINT_COOKIE_SECURE],
    },
    tokenCacheSeconds: env.GLINT_TOKEN_CACHE_TTL,
    credentialKeys: checkSetting('GLINT_CREDENTIAL_KEYS', () =>
      parseKeyring(env.GLINT_CREDENTIAL_KEYS, env.GLINT_CREDENTIAL_KEY_ID),
    ),
    outbound: OutboundPolicy.fromSetting(env.GLINT_OUTBOUND_ALLOW),
    jobAttempts: env.GLINT_JOB_ATTEMPTS,
    corsOrigins: origins(env.GLINT_CORS_ORIGINS),
    loginFailures: {
      perUser: env.GLINT_LOGIN_FAILURES_PER_USER,
      perAddress: env.GLINT_LOGIN_FAILURES_PER_ADDRESS,
      windowSeconds: env.GLINT_LOGIN_FAILURE_WINDOW,
    },
    metrics: {
      ...(env.GLINT_METRICS_TOKEN && { token: env.GLINT_METRICS_TOKEN }),
      allowedNetworks: checkSetting('GLINT_METRICS_ALLOWED_NETWORKS', () =>
        parseNetworks(settingList(env.GLINT_METRICS_ALLOWED_NETWORKS)),
      ),
    },
  };
}

function tlsFiles(env: ApiSettings): Config['tls'] {
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

/** The comma-separated origins of GLINT_CORS_ORIGINS, each checked to be only an origin. */
function origins(text: string): string[] {
  return settingList(text).map((origin) => {
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
