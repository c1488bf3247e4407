import fp from 'fastify-plugin';
import type { ApplicationCredential, PasswordCredential } from '@glint/core';
import { authRequestBody, isCloudError } from '@glint/cloud-adapters';
import { unstorableTextIn } from '@glint/store';
import type { AppOptions } from '../../app';
import { ApiError } from '../../errors';

/** Who a Keystone token belongs to, as Keystone says when it issues or validates it. */
export interface KeystoneIdentity {
  userId: string;
  userName: string;
  domainId: string;
  domainName: string;
  /** The project the token is scoped to, with its domain; null when unscoped. */
  project: { id: string; name: string; domainId: string; domainName: string } | null;
  /** The roles on that project, implied ones included. */
  roles: string[];
  /** ISO 8601, as Keystone gave it. */
  expiresAt: string;
}

/** A project the user may scope a token to, as Keystone lists them. */
export interface KeystoneProject {
  id: string;
  name: string;
  domainId: string;
}

/** Who logged in, and the token Keystone issued them. */
export interface KeystoneLogin {
  identity: KeystoneIdentity;
  token: string;
}

/** A login to the home Keystone: the credential and, for a password, the project to scope to. */
export interface HomeLogin {
  credential: PasswordCredential | ApplicationCredential;
  userDomain: string;
  project?: { name: string; domain: string };
}

interface TokenBody {
  token?: {
    expires_at?: string;
    user?: { id?: string; name?: string; domain?: { id?: string; name?: string } };
    project?: { id?: string; name?: string; domain?: { id?: string; name?: string } };
    roles?: { name?: string }[];
  };
}

function projectOf(
  project: NonNullable<TokenBody['token']>['project'],
): KeystoneIdentity['project'] {
  const domain = project?.domain;
  if (!project?.id || !project.name || !domain?.id || !domain.name) return null;
  return { id: project.id, name: project.name, domainId: domain.id, domainName: domain.name };
}

function identityFrom(body: TokenBody): KeystoneIdentity | undefined {
  const token = body.token;
  const user = token?.user;
  if (!token?.expires_at || !user?.id || !user.name || !user.domain?.id || !user.domain.name)
    return undefined;
  return {
    userId: user.id,
    userName: user.name,
    domainId: user.domain.id,
    domainName: user.domain.name,
    project: projectOf(token.project),
    roles: (token.roles ?? []).flatMap((role) => (role.name ? [role.name] : [])),
    expiresAt: token.expires_at,
  };
}

/**
 * The home Keystone, which users log in to and whose tokens automation sends. Tokens are validated
 * with themselves as the caller's token (Keystone's default policy lets a token's own subject
 * validate it), so Glint holds no service account whose password could leak; a revoked or expired
 * token fails that check like any other.
 */
export class KeystoneIdentityClient {
  constructor(
    private readonly authUrl: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Logs in and says who the user is. The session stands on its own and only borrows the token's
   * expiry; the token is only handed back, for the browser to keep (to switch projects with).
   */
  async login(login: HomeLogin): Promise<KeystoneLogin> {
    const { credential } = login;
    let body: string;
    try {
      body = JSON.stringify(
        authRequestBody(
          {
            type: 'openstack',
            authUrl: this.authUrl,
            interface: 'public',
            userDomainName: login.userDomain,
            ...(login.project
              ? { projectName: login.project.name, projectDomainName: login.project.domain }
              : {}),
          },
          credential,
        ),
      );
    } catch (error) {
      if (isCloudError(error)) throw new ApiError(400, 'invalid_login', error.message);
      throw error;
    }
    const response = await this.call('POST', { 'content-type': 'application/json' }, body);
    if (response.status === 201) return this.loginOf(response);
    if (response.status === 401) {
      await response.body?.cancel();
      throw new ApiError(
        401,
        'invalid_credentials',
        'Keystone did not accept the login: check the user name, password (or application credential), domain and project',
      );
    }
    // Its body is not quoted: a Keystone may echo the login it was sent, password and all.
    await response.body?.cancel();
    throw new ApiError(
      response.status < 500 ? 400 : 502,
      response.status < 500 ? 'invalid_login' : 'identity_service_failed',
      response.status < 500
        ? `Keystone refused the login as malformed (${response.status}): check the user name, domain and project`
        : `Keystone failed to log you in (${response.status}); try again, and tell the operator if this persists`,
    );
  }

  /** The projects the token's user may scope to (Keystone's GET /auth/projects), by name. */
  async projects(token: string): Promise<KeystoneProject[]> {
    const response = await this.call('GET', { 'x-auth-token': token }, undefined, '/auth/projects');
    if (response.status !== 200) {
      await response.body?.cancel();
      throw this.tokenRefused(response.status);
    }
    const body = (await response.json().catch(() => ({}))) as {
      projects?: { id?: string; name?: string; domain_id?: string }[];
    };
    return (body.projects ?? [])
      .flatMap((p) =>
        p.id && p.name && p.domain_id ? [{ id: p.id, name: p.name, domainId: p.domain_id }] : [],
      )
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The same user's token scoped to another of their projects, from their token (Keystone's token
   * method: no password; it ends when the token it came from ends). 403 when the user has no role
   * there.
   */
  async rescope(token: string, projectId: string): Promise<KeystoneLogin> {
    const response = await this.call(
      'POST',
      { 'content-type': 'application/json' },
      JSON.stringify({
        auth: {
          identity: { methods: ['token'], token: { id: token } },
          scope: { project: { id: projectId } },
        },
      }),
    );
    if (response.status === 201) return this.loginOf(response);
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403 || response.status === 404)
      throw new ApiError(
        403,
        'project_not_yours',
        `Keystone will not scope your token to project ${projectId}: you hold no role there, or it does not exist`,
      );
    throw this.tokenRefused(response.status);
  }

  /** Whose token this is; a 401 when Keystone does not accept it. */
  async validate(token: string): Promise<KeystoneIdentity> {
    const response = await this.call('GET', { 'x-auth-token': token, 'x-subject-token': token });
    if (response.status === 200) return this.identityOf(response);
    await response.body?.cancel();
    throw this.tokenRefused(response.status);
  }

  private tokenRefused(status: number): ApiError {
    if (status === 403) {
      // Every token is refused alike then: the operator's policy, not the caller, is at fault.
      return new ApiError(
        502,
        'identity_service_failed',
        "Keystone does not let tokens validate themselves (403): its policy identity:validate_token must allow the token's subject, as the default does",
      );
    }
    if (status < 500) {
      return new ApiError(
        401,
        'invalid_token',
        'Keystone does not accept the token: it is unknown, expired or revoked',
      );
    }
    return new ApiError(
      502,
      'identity_service_failed',
      `Keystone failed to validate the token (${status})`,
    );
  }

  private async call(
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body?: string,
    path = '/auth/tokens?nocatalog',
  ): Promise<Response> {
    // Keystone hangs up on half a surrogate pair rather than answering 400, which read as a 502.
    if (body !== undefined && unstorableTextIn(JSON.parse(body)) !== undefined)
      throw new ApiError(
        400,
        'invalid_text',
        'a name, id or secret sent to Keystone holds NUL or half a UTF-16 surrogate pair: send it without them',
      );
    try {
      return await fetch(`${this.authUrl}${path}`, {
        method,
        headers: { accept: 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason =
        (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ApiError(
        502,
        'identity_service_unreachable',
        `Glint could not reach its Keystone at ${this.authUrl} (${reason}); try again, and tell the operator if this persists`,
      );
    }
  }

  private async loginOf(response: Response): Promise<KeystoneLogin> {
    const token = response.headers.get('x-subject-token');
    const identity = await this.identityOf(response);
    if (!token)
      throw new ApiError(
        502,
        'identity_service_failed',
        `Keystone at ${this.authUrl} issued a token without saying it (no X-Subject-Token)`,
      );
    return { identity, token };
  }

  private async identityOf(response: Response): Promise<KeystoneIdentity> {
    const identity = identityFrom((await response.json().catch(() => ({}))) as TokenBody);
    if (!identity) {
      throw new ApiError(
        502,
        'identity_service_failed',
        `Keystone at ${this.authUrl} answered without the token's user and expiry`,
      );
    }
    return identity;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    keystone: KeystoneIdentityClient;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    const { authUrl, timeoutMs } = opts.config.keystone;
    fastify.decorate('keystone', new KeystoneIdentityClient(authUrl, timeoutMs));
  },
  { name: 'keystone-identity' },
);
