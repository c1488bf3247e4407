import { Type, type Static, type TSchema } from '../typebox';
import { DEFAULT_JOB_ATTEMPTS } from '../queues';
import { BYTE_RATE_EXPECTED, BYTE_RATE_PATTERN } from './byte-rate';

/**
 * Every setting Glint reads, as environment variables: its type, default and meaning. The API and
 * the daemon each validate the subset they use (`apiSettings`, `daemonSettings`), so one
 * environment file can serve both; `deploy/glint.env.example` documents exactly these names.
 *
 * Extra schema keywords: `expected` is how an error states what a malformed value should have been
 * when the type alone does not say it (patterns); `secret` settings are never repeated in errors.
 */

const postgresUrl = Type.String({
  pattern: '^postgres(ql)?://',
  expected: 'a postgres:// URL',
  default: 'postgres://postgres@127.0.0.1:5432/glint',
  description: 'PostgreSQL, as a connection URL.',
});

/** Settings both processes read, with the same names and defaults. */
const sharedSettings = {
  GLINT_DATABASE_URL: postgresUrl,
  GLINT_REDIS_URL: Type.String({
    pattern: '^rediss?://',
    expected: 'a redis:// or rediss:// URL',
    default: 'redis://127.0.0.1:6379',
    description: 'Redis: the queues, sessions, site slots and events.',
  }),
  GLINT_REDIS_PREFIX: Type.String({
    default: 'glint:',
    description: 'The prefix of every Redis key Glint writes; the API and its daemons share it.',
  }),
  GLINT_CREDENTIAL_KEYS: Type.String({
    minLength: 1,
    secret: true,
    expected: 'a list of id:base64key',
    description:
      'The keyring of site credentials: id:base64key,… each key 32 bytes (openssl rand -base64 32).',
  }),
  GLINT_CREDENTIAL_KEY_ID: Type.String({
    minLength: 1,
    description: 'The key of GLINT_CREDENTIAL_KEYS new credentials are encrypted under.',
  }),
  GLINT_OUTBOUND_ALLOW: Type.String({
    default: '',
    description:
      "What Glint may reach for its users besides public addresses (site URLs, their catalogs' endpoints, imports, redirects): comma-separated host:port pairs (keystone.internal:5000, 127.0.0.1:15010, [fd00::5]:9292) and networks (10.20.0.0/16, fd00::/8); networks never open loopback or this host's own addresses. None by default.",
  }),
  GLINT_JOB_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: DEFAULT_JOB_ATTEMPTS,
    description:
      'Attempts of a copy, delete or import whose errors may clear, with exponential backoff between them.',
  }),
  GLINT_LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description:
      'How much the API (JSON lines on stdout) and the daemon (JSON lines on stderr) log.',
  }),
  GLINT_METRICS_TOKEN: Type.Optional(
    Type.String({
      minLength: 16,
      secret: true,
      description:
        'Bearer token Prometheus sends for /metrics (openssl rand -hex 32): required on the API, and on a daemon when set. Unset: the API serves /metrics only to GLINT_METRICS_ALLOWED_NETWORKS.',
    }),
  ),
};

/** The API's own settings. */
const apiOnlySettings = {
  GLINT_HOST: Type.String({ default: '127.0.0.1', description: 'The address the API listens on.' }),
  GLINT_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8080,
    description: 'The port the API listens on.',
  }),
  GLINT_TLS_CERT: Type.Optional(
    Type.String({
      description:
        'PEM certificate chain to serve HTTPS directly, with GLINT_TLS_KEY; unset behind a TLS-terminating proxy.',
    }),
  ),
  GLINT_TLS_KEY: Type.Optional(Type.String({ description: 'PEM private key of GLINT_TLS_CERT.' })),
  GLINT_TRUST_PROXY: Type.String({
    default: 'false',
    description:
      "Fastify's trustProxy: true, a hop count, or comma-separated proxy addresses; needed for X-Forwarded-Proto to count.",
  }),
  GLINT_BODY_LIMIT: Type.Integer({
    minimum: 1024,
    default: 1024 * 1024,
    description: 'Largest request body in bytes (uploads are streamed and not limited by it).',
  }),
  GLINT_MIGRATE_ON_START: Type.Boolean({
    default: false,
    description: 'Apply pending database migrations before serving.',
  }),
  GLINT_KEYSTONE_URL: Type.String({
    minLength: 1,
    description: 'The home Keystone users log in to (v3; /v3 is added when missing).',
  }),
  GLINT_KEYSTONE_TIMEOUT: Type.Integer({
    minimum: 1,
    default: 15,
    description: 'Seconds to wait for the home Keystone.',
  }),
  GLINT_READER_ROLES: Type.String({
    default: 'reader',
    description:
      "Comma-separated Keystone roles that let a project's users see its sites, matrix, jobs and events.",
  }),
  GLINT_MEMBER_ROLES: Type.String({
    default: 'member',
    description:
      'Comma-separated Keystone roles that also let them place and remove images, upload, import, retry and cancel jobs.',
  }),
  GLINT_PROJECT_ADMIN_ROLES: Type.String({
    default: 'admin',
    description:
      "Comma-separated Keystone roles that also let them add, change and remove the project's sites, accounts and credentials.",
  }),
  GLINT_ADMIN_PROJECT: Type.String({
    default: '',
    description:
      "The project whose GLINT_ADMIN_ROLE holders are Glint's administrators (as Keystone's admin_project_name); none when empty.",
  }),
  GLINT_ADMIN_PROJECT_DOMAIN: Type.String({
    default: 'Default',
    description: 'The domain (name) of GLINT_ADMIN_PROJECT.',
  }),
  GLINT_ADMIN_ROLE: Type.String({
    default: 'admin',
    description:
      "The Keystone role that, on GLINT_ADMIN_PROJECT, makes a user Glint's administrator: every project's objects, read-only.",
  }),
  GLINT_SESSION_TTL: Type.Integer({
    minimum: 1,
    default: 8 * 3600,
    description: 'Session lifetime in seconds; never beyond the Keystone token it came from.',
  }),
  GLINT_SESSION_SECRET: Type.String({
    minLength: 32,
    secret: true,
    description:
      'Keys the CSRF tokens to their session; at least 32 characters (openssl rand -base64 32).',
  }),
  GLINT_COOKIE_SECURE: Type.Enum(['auto', 'always', 'never'], {
    default: 'auto',
    description:
      "Cookies' Secure flag: auto (when the request came over TLS, directly or through a trusted proxy), always, never.",
  }),
  GLINT_TOKEN_CACHE_TTL: Type.Integer({
    minimum: 0,
    default: 300,
    description:
      'Seconds a validated Keystone token is trusted without asking Keystone again; 0 asks every time.',
  }),
  GLINT_LOGIN_FAILURES_PER_USER: Type.Integer({
    minimum: 1,
    default: 10,
    description:
      'Failed logins one user name may have within GLINT_LOGIN_FAILURE_WINDOW before its logins are refused (429) until the window ends.',
  }),
  GLINT_LOGIN_FAILURES_PER_ADDRESS: Type.Integer({
    minimum: 1,
    default: 30,
    description:
      'Failed logins one client address may have within GLINT_LOGIN_FAILURE_WINDOW, whatever the user names, before its logins are refused (429).',
  }),
  GLINT_LOGIN_FAILURE_WINDOW: Type.Integer({
    minimum: 1,
    default: 900,
    description:
      'Seconds failed logins are counted for, from the first; the count is kept in Redis, so every API instance shares it.',
  }),
  GLINT_CORS_ORIGINS: Type.String({
    default: '',
    description:
      'Comma-separated origins (https://dashboard.example.org) of dashboards that embed the panel, such as Horizon.',
  }),
  GLINT_METRICS_ALLOWED_NETWORKS: Type.String({
    default: '',
    description:
      "Comma-separated networks (an operator's Prometheus: 10.0.5.7, 10.0.5.0/24) that may read the API's /metrics without the token, when they connect directly (not through a proxy); none by default.",
  }),
};

/** The daemon's own settings. */
const daemonOnlySettings = {
  GLINT_DAEMON_NAME: Type.Optional(
    Type.String({
      description: "This daemon in logs and in BullMQ's processedBy; host:pid when unset.",
    }),
  ),
  GLINT_DAEMON_CONCURRENCY: Type.Integer({
    minimum: 1,
    default: 4,
    description: 'Transfers (copies and imports) this daemon runs at once.',
  }),
  GLINT_SITE_TRANSFER_LIMIT: Type.Integer({
    minimum: 1,
    default: 2,
    description: 'Transfers one site takes part in at once, across all daemons.',
  }),
  GLINT_TRANSFER_BANDWIDTH_LIMIT: Type.Optional(
    Type.String({
      pattern: BYTE_RATE_PATTERN,
      expected: BYTE_RATE_EXPECTED,
      description:
        'Bandwidth cap of each transfer, on its source read: bytes per second, or with a unit (50MiB, 800Mbit); a daemon moves at most GLINT_DAEMON_CONCURRENCY times this. Unset: no cap.',
    }),
  ),
  GLINT_INVENTORY_INTERVAL_SECONDS: Type.Integer({
    minimum: 1,
    default: 300,
    description: "How often each site's inventory is taken.",
  }),
  GLINT_RELEASE_INTERVAL_SECONDS: Type.Integer({
    minimum: 1,
    default: 15,
    description:
      "How often each release family's rollout and retirement take their next step (soaks, waves, retries).",
  }),
  GLINT_DAEMON_LOCK_SECONDS: Type.Integer({
    minimum: 1,
    default: 30,
    description: "How long a dead daemon's jobs and site slots stay held.",
  }),
  GLINT_DAEMON_GRACE_SECONDS: Type.Integer({
    minimum: 1,
    default: 60,
    description: 'How long running jobs may finish after SIGTERM.',
  }),
  GLINT_QUEUE_RECOVERY_SECONDS: Type.Integer({
    minimum: 5,
    default: 60,
    description:
      'The longest a copy, delete or import stays stranded when Redis lost it (a restart without persistence, a failover to an empty replica): the daemons check the jobs table against the queue and put back what it lost.',
  }),
  GLINT_CONVERSION_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "An existing directory where images are staged while their format is converted (qcow2 for EC2): Glint makes a private directory (0700) in it per conversion and removes it afterwards. The OS's temporary directory when unset.",
    }),
  ),
  GLINT_DAEMON_METRICS_PORT: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 65535,
      description:
        "The port of this daemon's /metrics, /healthz and /readyz (9471 by convention; each daemon on a host its own). Unset: none, and no metrics kept.",
    }),
  ),
  GLINT_DAEMON_METRICS_HOST: Type.String({
    default: '127.0.0.1',
    description:
      "The operator address the daemon's /metrics, /healthz and /readyz listen on; never a public one.",
  }),
};

export const ApiSettings = Type.Object({ ...sharedSettings, ...apiOnlySettings });
export type ApiSettings = Static<typeof ApiSettings>;

export const DaemonSettings = Type.Object({ ...sharedSettings, ...daemonOnlySettings });
export type DaemonSettings = Static<typeof DaemonSettings>;

/**
 * Settings Glint no longer reads, with what replaced them: set, they stop the process rather than
 * be ignored, so an operator learns of the change.
 */
export const retiredSettings: Readonly<Record<string, string>> = {
  GLINT_ADMIN_ROLES:
    "any of its roles made a user Glint's administrator, in whatever project; name the role and its project with GLINT_ADMIN_ROLE and GLINT_ADMIN_PROJECT instead, and the project rights with GLINT_READER_ROLES, GLINT_MEMBER_ROLES and GLINT_PROJECT_ADMIN_ROLES",
  GLINT_IMPORT_ALLOWED_NETWORKS:
    'GLINT_OUTBOUND_ALLOW replaced it, for every address Glint reaches for its users (imports, sites, their endpoints); move its networks there',
};

/** Every setting by name, whichever process reads it. */
export const allSettings: Readonly<Record<string, TSchema>> = {
  ...sharedSettings,
  ...apiOnlySettings,
  ...daemonOnlySettings,
};
