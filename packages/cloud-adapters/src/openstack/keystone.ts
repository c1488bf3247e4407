import type { Dispatcher } from 'undici';
import type { EndpointInterface, OpenStackCredential, OpenStackSiteConfig } from '@glint/core';
import { reportedLogin } from '../diagnostics';
import { InvalidRequestError, NoImageServiceError } from '../errors';
import { errorForResponse, readJson, send, type ServiceCall } from './http';
import { openStackSecretOf } from './site-type';

/** Hands out the token for each request, and forgets it when a service rejects it. */
export interface TokenProvider {
  token(): Promise<string>;
  /** Forgets `rejected` (any cached token when omitted), so the next `token()` logs in again. */
  invalidate(rejected?: string): void;
}

export interface CatalogEndpoint {
  interface: string;
  region_id?: string | null;
  region?: string | null;
  url: string;
}

export interface CatalogService {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export interface KeystoneToken {
  value: string;
  userId: string;
  projectId: string;
  /** ISO 8601, as Keystone gave it. */
  expiresAt: string;
  catalog: CatalogService[];
}

export interface KeystoneSessionOptions {
  dispatcher: Dispatcher;
  /** Milliseconds on a monotonic clock; replaceable so tests can move time. */
  clock?: () => number;
}

interface TokenReply {
  token?: {
    expires_at?: string;
    issued_at?: string;
    user?: { id?: string };
    project?: { id?: string };
    catalog?: CatalogService[];
  };
}

const authUrlHint = "use Keystone's address, e.g. https://keystone.example.org:5000/v3";
const notKeystone =
  "this is not Keystone's v3 login: check the auth URL, e.g. https://keystone.example.org:5000/v3";

/** Accepts the auth URL with or without a trailing `/v3` or `/`, and returns it ending in `/v3`. */
export function normaliseAuthUrl(authUrl: string): string {
  let url: URL;
  try {
    url = new URL(authUrl.trim());
  } catch {
    throw new InvalidRequestError(`the auth URL "${authUrl}" is not a URL: ${authUrlHint}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidRequestError(
      `the auth URL "${authUrl}" is not an http(s) URL: ${authUrlHint}`,
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/v2(\.\d+)?$/.test(path)) {
    throw new InvalidRequestError(
      `the auth URL "${authUrl}" is Keystone's v2 API, which Glint does not support: use the v3 URL`,
    );
  }
  const base = `${url.origin}${path}`;
  return /\/v3(\.\d+)?$/.test(path) ? base : `${base}/v3`;
}

/**
 * How long before expiry a token is replaced: a minute, or a quarter of its lifetime for clouds with
 * short-lived tokens, so that a token handed out still has time to be used.
 */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 4);
}

function describeDomain(name: string | undefined, id: string | undefined): string {
  return name ? `domain ${name}` : `domain id ${id}`;
}

/** What the login attempts, in words, for error messages; never includes a secret. */
export function describeLogin(
  config: OpenStackSiteConfig,
  credential: OpenStackCredential,
): string {
  const user = credential.userId
    ? `user id ${credential.userId}`
    : `user ${credential.username} in ${describeDomain(config.userDomainName, config.userDomainId)}`;
  if (credential.kind === 'application_credential') {
    return credential.id
      ? `log in with application credential ${credential.id}`
      : `log in with application credential ${credential.name} of ${user}`;
  }
  const project = config.projectId
    ? `, scoped to project id ${config.projectId}`
    : config.projectName
      ? `, scoped to project ${config.projectName} in ${describeDomain(config.projectDomainName, config.projectDomainId)}`
      : '';
  return `log in as ${user} with a password${project}`;
}

function domainRef(
  name: string | undefined,
  id: string | undefined,
): { name: string } | { id: string } | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

function userRef(
  config: OpenStackSiteConfig,
  credential: OpenStackCredential,
): Record<string, unknown> {
  if (credential.userId) return { id: credential.userId };
  if (!credential.username) {
    throw new InvalidRequestError('the site credential names no user: set a username or a user id');
  }
  const domain = domainRef(config.userDomainName, config.userDomainId);
  if (!domain) {
    throw new InvalidRequestError(
      `user ${credential.username} is named without a domain: set the site's user domain name or id (often "Default")`,
    );
  }
  return { name: credential.username, domain };
}

function projectScope(config: OpenStackSiteConfig): Record<string, unknown> | undefined {
  if (config.projectId) return { project: { id: config.projectId } };
  if (!config.projectName) return undefined;
  const domain = domainRef(config.projectDomainName, config.projectDomainId);
  if (!domain) {
    throw new InvalidRequestError(
      `project ${config.projectName} is named without a domain: set the site's project domain name or id (often "Default")`,
    );
  }
  return { project: { name: config.projectName, domain } };
}

/** The body of `POST /v3/auth/tokens` for the site's credential. */
export function authRequestBody(
  config: OpenStackSiteConfig,
  credential: OpenStackCredential,
): { auth: Record<string, unknown> } {
  if (credential.kind === 'application_credential') {
    // An application credential carries its own project; Keystone refuses an explicit scope.
    if (credential.id) {
      return {
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { id: credential.id, secret: credential.secret },
          },
        },
      };
    }
    if (!credential.name) {
      throw new InvalidRequestError(
        'the application credential has neither an id nor a name: set one of them',
      );
    }
    return {
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: {
            name: credential.name,
            user: userRef(config, credential),
            secret: credential.secret,
          },
        },
      },
    };
  }
  const scope = projectScope(config);
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { ...userRef(config, credential), password: credential.password } },
      },
      ...(scope ? { scope } : {}),
    },
  };
}

function endpointRegion(endpoint: CatalogEndpoint): string | undefined {
  return endpoint.region_id ?? endpoint.region ?? undefined;
}

function describeCatalog(catalog: CatalogService[]): string {
  return catalog
    .map((service) => {
      const where = service.endpoints.map(
        (e) => `${e.interface} in ${endpointRegion(e) ?? 'no region'}`,
      );
      return `${service.type}${service.name ? ` "${service.name}"` : ''} (${where.join(', ') || 'no endpoints'})`;
    })
    .join('; ');
}

/** The URL of the catalog's image endpoint for the region (any, when not given) and interface. */
export function selectImageEndpoint(
  catalog: CatalogService[],
  selection: { region?: string; interface: EndpointInterface },
  authUrl: string,
): string {
  for (const service of catalog.filter((s) => s.type === 'image')) {
    const endpoint = service.endpoints.find(
      (e) =>
        e.interface === selection.interface &&
        (!selection.region || endpointRegion(e) === selection.region),
    );
    if (endpoint) return endpoint.url;
  }
  if (catalog.length === 0) {
    throw new NoImageServiceError(
      `Keystone at ${authUrl} issued a token whose catalog is empty, so it names no image service: ask the cloud ` +
        'operator whether this project may use the image service (Glance)',
    );
  }
  const where = `the ${selection.interface} interface${selection.region ? ` in region ${selection.region}` : ''}`;
  const fix = catalog.some((s) => s.type === 'image')
    ? "set the site's region and interface to one the image service offers"
    : 'ask the cloud operator whether this project may use the image service (Glance)';
  throw new NoImageServiceError(
    `Keystone at ${authUrl} lists no image service endpoint for ${where}. The catalog has: ${describeCatalog(catalog)}. To fix: ${fix}`,
  );
}

/**
 * A Keystone v3 login for one site: holds the token, replaces it shortly before it expires, and
 * lets concurrent callers share one login.
 */
export class KeystoneSession implements TokenProvider {
  readonly authUrl: string;
  private readonly clock: () => number;
  private cached?: { token: KeystoneToken; refreshAt: number };
  private pending?: Promise<KeystoneToken>;

  constructor(
    private readonly config: OpenStackSiteConfig,
    private readonly credential: OpenStackCredential,
    private readonly options: KeystoneSessionOptions,
  ) {
    this.authUrl = normaliseAuthUrl(config.authUrl);
    this.clock = options.clock ?? (() => performance.now());
  }

  /** The cached token while it is fresh, else a new login. */
  current(): Promise<KeystoneToken> {
    if (this.cached && this.clock() < this.cached.refreshAt)
      return Promise.resolve(this.cached.token);
    return this.refresh();
  }

  /** Logs in again now, unless a login is already under way, whose result is shared. */
  refresh(): Promise<KeystoneToken> {
    this.pending ??= reportedLogin('keystone', () => this.login()).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async token(): Promise<string> {
    return (await this.current()).value;
  }

  invalidate(rejected?: string): void {
    if (rejected === undefined || this.cached?.token.value === rejected) this.cached = undefined;
  }

  async imageEndpoint(): Promise<string> {
    return selectImageEndpoint((await this.current()).catalog, this.config, this.authUrl);
  }

  private async login(): Promise<KeystoneToken> {
    const secret = openStackSecretOf(this.credential);
    const call: ServiceCall = {
      service: 'Keystone',
      action: describeLogin(this.config, this.credential),
      url: `${this.authUrl}/auth/tokens`,
      secrets: secret === undefined ? [] : [secret],
      // The auth URL is whatever the user typed; what answers there is not repeated to them.
      quoteReply: false,
      advice: {
        401:
          this.credential.kind === 'password'
            ? 'check the username, password and user domain, and that the user has a role on the project'
            : 'check the application credential (id or name, and secret), and that it has not expired or been deleted',
        404: notKeystone,
        405: notKeystone,
      },
    };
    const body = JSON.stringify(authRequestBody(this.config, this.credential));
    const sentAt = this.clock();
    const response = await send(this.options.dispatcher, {
      ...call,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (response.statusCode < 400 && response.statusCode !== 201) {
      await response.body.dump();
      throw new InvalidRequestError(
        `Keystone at ${call.url} answered the login with ${response.statusCode}, not 201 with a token: ${notKeystone}`,
        { status: response.statusCode },
      );
    }
    if (response.statusCode !== 201) throw await errorForResponse(response, call);
    const value = response.headers['x-subject-token'];
    const reply = await readJson<TokenReply>(response, call);
    const token = reply.token;
    if (typeof value !== 'string' || !token?.expires_at || !token.user?.id) {
      throw new InvalidRequestError(
        `Keystone at ${call.url} answered the login without a token: check that the auth URL is Keystone's v3 endpoint`,
      );
    }
    // Lifetime from Keystone's own two timestamps, so a skewed local clock does not matter.
    const expiresAtMs = Date.parse(token.expires_at);
    const lifetimeMs = token.issued_at
      ? expiresAtMs - Date.parse(token.issued_at)
      : expiresAtMs - Date.now();
    if (!token.project?.id) {
      // Keystone falls back to an unscoped token, whose catalog is empty, when no project is given
      // and the user has no default project.
      throw new NoImageServiceError(
        `Keystone at ${call.url} issued a token that is not scoped to a project, so it names no image service: set the site's project`,
      );
    }
    const result: KeystoneToken = {
      value,
      userId: token.user.id,
      projectId: token.project.id,
      expiresAt: token.expires_at,
      catalog: token.catalog ?? [],
    };
    this.cached = { token: result, refreshAt: sentAt + lifetimeMs - refreshMarginMs(lifetimeMs) };
    return result;
  }
}
