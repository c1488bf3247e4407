import { Agent } from 'undici';
import type { OpenStackSiteConfig } from '@glint/core';
import {
  AuthenticationError,
  authRequestBody,
  InvalidRequestError,
  KeystoneSession,
  NoImageServiceError,
  normaliseAuthUrl,
  refreshMarginMs,
  selectImageEndpoint,
  type CatalogService,
} from '@glint/cloud-adapters';
import { sendJson, startFakeService, type FakeService } from './openstack-fake-service';

const config: OpenStackSiteConfig = {
  type: 'openstack',
  authUrl: 'http://keystone:5000/v3',
  interface: 'public',
  region: 'Region1',
  projectName: 'demo',
  projectDomainName: 'Default',
  userDomainName: 'Default',
};

const catalog: CatalogService[] = [
  {
    type: 'identity',
    name: 'keystone',
    endpoints: [
      {
        interface: 'public',
        region_id: 'Region1',
        region: 'Region1',
        url: 'http://keystone:5000/v3',
      },
    ],
  },
  {
    type: 'image',
    name: 'glance',
    endpoints: [
      { interface: 'public', region_id: 'Region1', region: 'Region1', url: 'http://glance-1:9292' },
      {
        interface: 'internal',
        region_id: 'Region1',
        region: 'Region1',
        url: 'http://glance-1.internal:9292',
      },
      { interface: 'public', region_id: 'Region2', region: 'Region2', url: 'http://glance-2:9292' },
    ],
  },
];

describe('normaliseAuthUrl', () => {
  it('accepts the URL with or without /v3 and trailing slashes', () => {
    for (const url of [
      'http://k:5000',
      'http://k:5000/',
      'http://k:5000/v3',
      'http://k:5000/v3/',
      ' http://k:5000/v3// ',
    ]) {
      expect(normaliseAuthUrl(url)).toBe('http://k:5000/v3');
    }
    expect(normaliseAuthUrl('https://cloud.example.org/identity')).toBe(
      'https://cloud.example.org/identity/v3',
    );
  });

  it('refuses v2 URLs and things that are not http(s) URLs', () => {
    expect(() => normaliseAuthUrl('http://k:5000/v2.0')).toThrow(
      /v2 API, which Glint does not support/,
    );
    expect(() => normaliseAuthUrl('keystone:5000')).toThrow(InvalidRequestError);
    expect(() => normaliseAuthUrl('not a url')).toThrow(/is not a URL/);
  });
});

describe('refreshMarginMs', () => {
  it('is a minute for ordinary tokens and a quarter of the lifetime for short ones', () => {
    expect(refreshMarginMs(3_600_000)).toBe(60_000);
    expect(refreshMarginMs(20_000)).toBe(5_000);
  });
});

describe('authRequestBody', () => {
  it('names the user and project by name and domain, or by id', () => {
    expect(authRequestBody(config, { kind: 'password', username: 'demo', password: 'pw' })).toEqual(
      {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'demo', domain: { name: 'Default' }, password: 'pw' } },
          },
          scope: { project: { name: 'demo', domain: { name: 'Default' } } },
        },
      },
    );
    expect(
      authRequestBody(
        { ...config, projectId: 'p1', userDomainName: undefined },
        { kind: 'password', userId: 'u1', password: 'pw' },
      ),
    ).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { id: 'u1', password: 'pw' } } },
        scope: { project: { id: 'p1' } },
      },
    });
  });

  it('sends application credentials without a scope', () => {
    expect(
      authRequestBody(config, { kind: 'application_credential', id: 'ac1', secret: 's' }),
    ).toEqual({
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: { id: 'ac1', secret: 's' },
        },
      },
    });
    expect(
      authRequestBody(config, {
        kind: 'application_credential',
        name: 'backup',
        username: 'demo',
        secret: 's',
      }),
    ).toEqual({
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: {
            name: 'backup',
            user: { name: 'demo', domain: { name: 'Default' } },
            secret: 's',
          },
        },
      },
    });
  });

  it('refuses names without domains', () => {
    expect(() =>
      authRequestBody(
        { ...config, userDomainName: undefined },
        { kind: 'password', username: 'demo', password: 'pw' },
      ),
    ).toThrow(/user demo is named without a domain/);
    expect(() =>
      authRequestBody(
        { ...config, projectDomainName: undefined },
        { kind: 'password', username: 'demo', password: 'pw' },
      ),
    ).toThrow(/project demo is named without a domain/);
  });
});

describe('selectImageEndpoint', () => {
  it('picks the image endpoint for the region and interface', () => {
    expect(selectImageEndpoint(catalog, { region: 'Region1', interface: 'public' }, 'k')).toBe(
      'http://glance-1:9292',
    );
    expect(selectImageEndpoint(catalog, { region: 'Region1', interface: 'internal' }, 'k')).toBe(
      'http://glance-1.internal:9292',
    );
    expect(selectImageEndpoint(catalog, { region: 'Region2', interface: 'public' }, 'k')).toBe(
      'http://glance-2:9292',
    );
    expect(selectImageEndpoint(catalog, { interface: 'public' }, 'k')).toBe('http://glance-1:9292');
  });

  it('names the region, the interface and what the catalog does have', () => {
    expect(() =>
      selectImageEndpoint(catalog, { region: 'Region3', interface: 'public' }, 'http://k/v3'),
    ).toThrow(
      new NoImageServiceError(
        'Keystone at http://k/v3 lists no image service endpoint for the public interface in region Region3. The catalog has: ' +
          'identity "keystone" (public in Region1); image "glance" (public in Region1, internal in Region1, public in Region2). ' +
          "To fix: set the site's region and interface to one the image service offers",
      ),
    );
    expect(() =>
      selectImageEndpoint(
        catalog.slice(0, 1),
        { region: 'Region1', interface: 'public' },
        'http://k/v3',
      ),
    ).toThrow(
      /The catalog has: identity "keystone" \(public in Region1\)\. To fix: ask the cloud operator whether this project may use the image service/,
    );
  });
});

describe('KeystoneSession against a scripted fake Keystone (mock: unit tests run without services)', () => {
  const agent = new Agent();
  let keystone: FakeService;
  let issued = 0;
  let lifetimeSeconds = 3600;
  let reply: 'token' | 'unauthorized' | 'unscoped' | 'redirect' = 'token';

  beforeAll(async () => {
    keystone = await startFakeService(async (request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (reply === 'redirect') {
        response.writeHead(302, { location: 'file:///etc/passwd' }).end('moved');
        return;
      }
      if (reply === 'unauthorized') {
        sendJson(response, 401, {
          error: {
            code: 401,
            message: 'The request you have made requires authentication.',
            title: 'Unauthorized',
          },
        });
        return;
      }
      issued++;
      const issuedAt = new Date('2026-01-01T00:00:00Z');
      const token = {
        issued_at: issuedAt.toISOString(),
        expires_at: new Date(issuedAt.getTime() + lifetimeSeconds * 1000).toISOString(),
        user: { id: 'user-1', name: 'demo' },
        ...(reply === 'unscoped' ? {} : { project: { id: 'project-1', name: 'demo' }, catalog }),
      };
      sendJson(response, 201, { token }, { 'x-subject-token': `token-${issued}` });
    });
  });
  afterAll(async () => {
    await keystone.close();
    await agent.close();
  });
  beforeEach(() => {
    keystone.requests.length = 0;
    lifetimeSeconds = 3600;
    reply = 'token';
  });

  function session(
    now: { ms: number },
    credential = { kind: 'password' as const, username: 'demo', password: 'hunter2' },
  ) {
    return new KeystoneSession({ ...config, authUrl: keystone.url }, credential, {
      dispatcher: agent,
      clock: () => now.ms,
    });
  }

  it('posts the login to /v3/auth/tokens and shares one login between concurrent callers', async () => {
    const s = session({ ms: 0 });
    const tokens = await Promise.all([s.token(), s.token(), s.token()]);
    expect(new Set(tokens).size).toBe(1);
    expect(keystone.requests).toHaveLength(1);
    expect(keystone.requests[0]).toMatchObject({ method: 'POST', url: '/v3/auth/tokens' });
    expect(
      JSON.parse(keystone.requests[0]!.body.toString()).auth.identity.password.user.password,
    ).toBe('hunter2');
    expect(await s.imageEndpoint()).toBe('http://glance-1:9292');
  });

  it('logs in again a quarter of the lifetime before a short token expires', async () => {
    lifetimeSeconds = 20;
    const now = { ms: 0 };
    const s = session(now);
    const first = await s.token();
    now.ms = 14_000;
    expect(await s.token()).toBe(first);
    now.ms = 15_001;
    expect(await s.token()).not.toBe(first);
    expect(keystone.requests).toHaveLength(2);
  });

  it('forgets only the token that was rejected', async () => {
    const s = session({ ms: 0 });
    const first = await s.token();
    s.invalidate('some-older-token');
    expect(await s.token()).toBe(first);
    s.invalidate(first);
    const second = await s.token();
    expect(second).not.toBe(first);
    s.invalidate();
    expect(await s.token()).not.toBe(second);
  });

  it("reports a rejected password naming the user, never the password nor the far side's reply", async () => {
    reply = 'unauthorized';
    const failure = session({ ms: 0 }).token();
    await expect(failure).rejects.toBeInstanceOf(AuthenticationError);
    await expect(failure).rejects.toThrow(
      `Keystone at ${keystone.url}/v3/auth/tokens refused to log in as user demo in domain Default with a password, scoped to project demo in domain Default ` +
        '(401): check the username, password and user domain, and that the user has a role on the project',
    );
    await expect(failure).rejects.not.toThrow(/hunter2/);
    await expect(failure).rejects.not.toThrow(/requires authentication/);
  });

  it('a login answered with a redirect is not Keystone: not followed, a permanent failure', async () => {
    reply = 'redirect';
    const failure = session({ ms: 0 }).token();
    await expect(failure).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(failure).rejects.toThrow(
      `Keystone at ${keystone.url}/v3/auth/tokens answered the login with 302, not 201 with a token: this is not Keystone's v3 login`,
    );
    expect(keystone.requests).toHaveLength(1);
  });

  it('refuses an unscoped token, which names no services', async () => {
    reply = 'unscoped';
    await expect(session({ ms: 0 }).token()).rejects.toThrow(
      new NoImageServiceError(
        `Keystone at ${keystone.url}/v3/auth/tokens issued a token that is not scoped to a project, so it names no image service: set the site's project`,
      ),
    );
  });
});
