import { OutboundPolicy, type OpenStackSiteConfig } from '@glint/core';
import {
  AddressRefusedError,
  createAdapter,
  OpenStackAdapter,
  UnreachableError,
} from '@glint/cloud-adapters';
import { sendJson, startFakeService, type FakeService } from './openstack-fake-service';

/** A Keystone whose catalog sends the image service wherever the test says. */
async function fakeKeystone(glanceUrl: () => string): Promise<FakeService> {
  return startFakeService((_request, response) => {
    const catalog = [
      { type: 'image', endpoints: [{ interface: 'public', region_id: 'R', url: glanceUrl() }] },
    ];
    const token = {
      expires_at: '2099-01-01T00:00:00Z',
      issued_at: '2098-12-31T23:00:00Z',
      user: { id: 'u' },
      project: { id: 'p' },
      catalog,
    };
    sendJson(response, 201, { token }, { 'x-subject-token': 'tok' });
  });
}

describe('OpenStackAdapter against a scripted fake Keystone and Glance (mock: unit tests run without services)', () => {
  let keystone: FakeService;
  let glance: FakeService;
  let glanceUrl: string;
  const adapters: OpenStackAdapter[] = [];
  /** The fakes, and the closed port 127.0.0.1:1; the rest of loopback stays refused. */
  let outbound: OutboundPolicy;

  function adapter(): OpenStackAdapter {
    const config: OpenStackSiteConfig = {
      type: 'openstack',
      authUrl: keystone.url,
      interface: 'public',
      region: 'R',
      projectId: 'p',
    };
    const made = new OpenStackAdapter(
      config,
      { kind: 'password', userId: 'u', password: 'pw' },
      { outbound },
    );
    adapters.push(made);
    return made;
  }

  beforeAll(async () => {
    glance = await startFakeService((_request, response) =>
      sendJson(response, 200, { images: [] }),
    );
    keystone = await fakeKeystone(() => glanceUrl);
    outbound = OutboundPolicy.parse(
      [keystone.url, glance.url, 'http://127.0.0.1:1'].map((url) => new URL(url).host),
    );
  });
  afterAll(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await Promise.all([keystone.close(), glance.close()]);
  });

  it('registers itself for the openstack site type', () => {
    const made = createAdapter(
      'openstack',
      { type: 'openstack', authUrl: 'http://k/v3', interface: 'public' },
      { kind: 'password', userId: 'u', password: 'p' },
      { outbound },
    );
    expect(made).toBeInstanceOf(OpenStackAdapter);
    adapters.push(made as OpenStackAdapter);
  });

  it('validates the login, the catalog and Glance itself', async () => {
    glanceUrl = `${glance.url}/`;
    await expect(adapter().validate()).resolves.toEqual({
      projectId: 'p',
      userId: 'u',
      imageEndpoint: `${glance.url}/`,
      expiresAt: '2099-01-01T00:00:00Z',
    });
  });

  it('fails validation when the Glance the catalog names does not answer', async () => {
    glanceUrl = 'http://127.0.0.1:1';
    const validation = adapter().validate();
    await expect(validation).rejects.toBeInstanceOf(UnreachableError);
    await expect(validation).rejects.toThrow(
      /^could not reach Glance at http:\/\/127\.0\.0\.1:1\/v2\/images\?limit=1/,
    );
  });

  it('reports health without throwing', async () => {
    glanceUrl = glance.url;
    const healthy = await adapter().health();
    expect(healthy).toMatchObject({ ok: true });
    expect(healthy.latencyMs).toBeGreaterThanOrEqual(0);

    glanceUrl = 'http://127.0.0.1:1';
    const sick = await adapter().health();
    expect(sick.ok).toBe(false);
    expect(sick.detail).toMatch(/could not reach Glance/);
  });

  it('refuses a Glance the catalog puts outside the outbound policy, before connecting to it', async () => {
    const internal = await startFakeService((_request, response) =>
      sendJson(response, 200, { images: [] }),
    );
    try {
      glanceUrl = internal.url;
      const validation = adapter().validate();
      await expect(validation).rejects.toBeInstanceOf(AddressRefusedError);
      await expect(validation).rejects.toThrow(
        /the address 127\.0\.0\.1 is a loopback address.*GLINT_OUTBOUND_ALLOW/,
      );
      expect(internal.requests).toEqual([]);
    } finally {
      await internal.close();
    }
  });
});
