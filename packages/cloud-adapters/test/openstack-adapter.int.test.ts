/**
 * The OpenStack adapter against the sandbox's real Keystone and Glance: logins of every kind, the
 * whole image lifecycle, paging, token expiry and the 401 retry.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import {
  AddressRefusedError,
  AuthenticationError,
  ConflictError,
  GlanceClient,
  IntegrityError,
  glanceRoot,
  isCloudError,
  NoImageServiceError,
  NotFoundError,
  OpenStackAdapter,
  TransientError,
  type OpenStackAdapterOptions,
  UnreachableError,
  type ImageInfo,
  type ImageSpec,
  type TokenProvider,
} from '@glint/cloud-adapters';
import { digestStream, randomImageStream } from '../../../test-support/random-image';
import {
  passwordCredential,
  sandboxCloud,
  sandboxOutbound,
  shortTokenCloud,
  siteConfig,
  type SandboxCloud,
} from '../../../test-support/sandbox';

const MiB = 1024 * 1024;
const run = `glint-os-${randomUUID().slice(0, 8)}`;
/** The sandbox's Keystones and Glances, and nothing else of loopback. */
const outbound = sandboxOutbound();

const adapters: OpenStackAdapter[] = [];
/** Every image a test made, with the adapter that can delete it. */
const created: { adapter: OpenStackAdapter; id: string }[] = [];

function adapterFor(
  cloud: SandboxCloud,
  user: 'demo' | 'noimage' = 'demo',
  options: Partial<OpenStackAdapterOptions> = {},
): OpenStackAdapter {
  const adapter = new OpenStackAdapter(siteConfig(cloud, user), passwordCredential(cloud, user), {
    outbound,
    ...options,
  });
  adapters.push(adapter);
  return adapter;
}

async function createImage(
  adapter: OpenStackAdapter,
  spec: Partial<ImageSpec> = {},
): Promise<ImageInfo> {
  const image = await adapter.createImage({
    id: randomUUID(),
    name: `${run}-${created.length}`,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
    ...spec,
  });
  created.push({ adapter, id: image.id });
  return image;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Repeats `attempt` while it fails with an error worth retrying, as the daemon would: other test
 * files stop sandbox services for their fault tests, and Glance needs a moment after a broken upload.
 */
async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isCloudError(error) || !error.retryable || tries >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * tries));
    }
  }
}

/** A call to Keystone's own API, for what the adapter does not do (application credentials, revocation). */
async function keystoneApi(
  cloud: SandboxCloud,
  method: 'POST' | 'DELETE',
  path: string,
  token: string,
  body?: unknown,
) {
  const response = await request(
    `${cloud.authUrl.replace(/\/+$/, '').replace(/\/v3$/, '')}/v3${path}`,
    {
      method,
      headers: {
        'x-auth-token': token,
        'content-type': 'application/json',
        accept: 'application/json',
        ...(path === '/auth/tokens' ? { 'x-subject-token': token } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
  );
  const text = await response.body.text();
  if (response.statusCode >= 300)
    throw new Error(`Keystone ${method} ${path} answered ${response.statusCode}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const cloud1 = sandboxCloud(1);

afterAll(async () => {
  await Promise.all(
    created.map(({ adapter, id }) =>
      retrying(() => adapter.deleteImage(id)).catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) throw error;
      }),
    ),
  );
  await Promise.all(adapters.map((adapter) => adapter.close()));
});

describe('logging in', () => {
  it('validates the demo user: login, catalog and Glance', async () => {
    const validation = await adapterFor(cloud1).validate();
    expect(validation.projectId).toMatch(/^[0-9a-f]{32}$/);
    expect(validation.userId).toMatch(/^[0-9a-f]{32}$/);
    expect(glanceRoot(validation.imageEndpoint)).toBe(glanceRoot(cloud1.glanceUrl));
    expect(Date.parse(validation.expiresAt ?? '')).toBeGreaterThan(Date.now());
    expect((await adapterFor(cloud1).health()).ok).toBe(true);
  });

  it('reports a wrong password as an authentication error naming the user, not the password', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const adapter = new OpenStackAdapter(
      siteConfig(cloud1),
      { ...passwordCredential(cloud1), password: wrong },
      { outbound },
    );
    adapters.push(adapter);
    const validation = adapter.validate();
    await expect(validation).rejects.toBeInstanceOf(AuthenticationError);
    const message = await validation.catch((error: Error) => error.message);
    expect(message).toContain('user demo in domain Default');
    expect(message).toContain(cloud1.authUrl.replace(/\/+$/, ''));
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(cloud1.users.demo.password);
  });

  it('reports a closed port as unreachable, and health says so without throwing', async () => {
    const adapter = new OpenStackAdapter(
      { ...siteConfig(cloud1), authUrl: 'http://127.0.0.1:1/v3' },
      passwordCredential(cloud1),
      { outbound: sandboxOutbound('http://127.0.0.1:1') },
    );
    adapters.push(adapter);
    await expect(adapter.validate()).rejects.toBeInstanceOf(UnreachableError);
    const health = await adapter.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(
      /could not reach Keystone at http:\/\/127\.0\.0\.1:1\/v3\/auth\/tokens/,
    );
  });

  it('refuses a Keystone on a loopback port the policy does not list (Redis) before connecting; health says so', async () => {
    const adapter = new OpenStackAdapter(
      { ...siteConfig(cloud1), authUrl: 'http://127.0.0.1:6379/v3' },
      passwordCredential(cloud1),
      { outbound },
    );
    adapters.push(adapter);
    const validation = adapter.validate();
    await expect(validation).rejects.toBeInstanceOf(AddressRefusedError);
    await expect(validation).rejects.toThrow(
      /^Keystone at http:\/\/127\.0\.0\.1:6379\/v3\/auth\/tokens was not asked to log in .*: the address 127\.0\.0\.1 is a loopback address.*GLINT_OUTBOUND_ALLOW/,
    );
    const health = await adapter.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/127\.0\.0\.1:6379 must be reachable/);
  });

  it('reports a catalog without an image service, naming region and interface', async () => {
    const validation = adapterFor(cloud1, 'noimage').validate();
    await expect(validation).rejects.toBeInstanceOf(NoImageServiceError);
    await expect(validation).rejects.toThrow(
      `no image service endpoint for the public interface in region ${cloud1.region}`,
    );
  });

  it('logs in with an application credential, by id and by name', async () => {
    const demo = adapterFor(cloud1);
    const { userId, projectId } = await demo.validate();
    const token = await demo.keystone.token();
    const made = (await keystoneApi(
      cloud1,
      'POST',
      `/users/${userId}/application_credentials`,
      token,
      {
        application_credential: { name: `${run}-appcred`, description: 'Glint integration test' },
      },
    )) as { application_credential: { id: string; secret: string; name: string } };
    const { id, secret, name } = made.application_credential;
    try {
      const config = {
        ...siteConfig(cloud1),
        projectName: undefined,
        projectDomainName: undefined,
      };
      const byId = new OpenStackAdapter(
        config,
        { kind: 'application_credential', id, secret },
        { outbound },
      );
      const byName = new OpenStackAdapter(
        config,
        { kind: 'application_credential', name, username: 'demo', secret },
        { outbound },
      );
      adapters.push(byId, byName);
      for (const adapter of [byId, byName]) {
        const validation = await adapter.validate();
        expect(validation).toMatchObject({ userId, projectId });
      }
      const wrongSecret = new OpenStackAdapter(
        config,
        { kind: 'application_credential', id, secret: 'not-the-secret' },
        { outbound },
      );
      adapters.push(wrongSecret);
      await expect(wrongSecret.validate()).rejects.toThrow(
        /refused to log in with application credential .*\(401.*check the application credential/,
      );
    } finally {
      await keystoneApi(cloud1, 'DELETE', `/users/${userId}/application_credentials/${id}`, token);
    }
  });
});

describe('the image lifecycle', () => {
  const size = 5 * MiB + 12_345;
  let data: Buffer;
  let digest: { sha512: string; md5: string };
  let adapter: OpenStackAdapter;
  let image: ImageInfo;

  beforeAll(async () => {
    data = await bytesOf(randomImageStream(size, run));
    digest = await digestStream(Readable.from([data]));
    adapter = adapterFor(cloud1);
    image = await createImage(adapter, {
      properties: { architecture: 'x86_64' },
      tags: ['glint-test'],
      minDisk: 1,
    });
  });

  it('creates a queued image with the id, properties and tags asked for', () => {
    expect(image).toMatchObject({
      status: 'queued',
      size: null,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
      minDisk: 1,
      tags: ['glint-test'],
      properties: { architecture: 'x86_64' },
    });
  });

  it('refuses a second image with the same id as a conflict', async () => {
    await expect(createImage(adapter, { id: image.id })).rejects.toBeInstanceOf(ConflictError);
  });

  it('uploads a stream and Glance records the size and hashes Glint computes', async () => {
    await adapter.uploadImageData(image.id, randomImageStream(size, run), { size });
    const active = await adapter.getImage(image.id);
    expect(active).toMatchObject({
      status: 'active',
      size,
      hashAlgo: 'sha512',
      hashValue: digest.sha512,
      checksum: digest.md5,
    });
  });

  it('refuses a second upload to the now active image as a conflict', async () => {
    await expect(
      adapter.uploadImageData(image.id, Readable.from([Buffer.from('again')])),
    ).rejects.toThrow(ConflictError);
  });

  it('downloads the whole image and from an offset', async () => {
    const whole = await adapter.openDownload(image.id);
    expect(whole).toMatchObject({ offset: 0, size });
    expect((await bytesOf(whole.stream)).equals(data)).toBe(true);

    const offset = 3 * MiB + 7;
    const tail = await adapter.openDownload(image.id, { offset });
    expect(tail).toMatchObject({ offset, size });
    expect((await bytesOf(tail.stream)).equals(data.subarray(offset))).toBe(true);

    const atEnd = await adapter.openDownload(image.id, { offset: size });
    expect(await bytesOf(atEnd.stream)).toHaveLength(0);
  });

  it('sets, replaces and removes properties and replaces the tags', async () => {
    await adapter.updateProperties(image.id, {
      set: { glint_source_site: 'cloud9', note: 'first' },
      tags: ['glint-test', run],
    });
    expect(await adapter.getImage(image.id)).toMatchObject({
      properties: { architecture: 'x86_64', glint_source_site: 'cloud9', note: 'first' },
      tags: expect.arrayContaining(['glint-test', run]),
    });

    await adapter.updateProperties(image.id, {
      set: { note: 'second' },
      remove: ['glint_source_site', 'never_set'],
      tags: [run],
    });
    const updated = await adapter.getImage(image.id);
    expect(updated.properties).toEqual({ architecture: 'x86_64', note: 'second' });
    expect(updated.tags).toEqual([run]);
  });

  it('deletes the image, after which it is not found', async () => {
    await adapter.deleteImage(image.id);
    await expect(adapter.getImage(image.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(adapter.deleteImage(image.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('failed uploads', () => {
  it('stops data that is not the declared size, leaving the image queued for another try', async () => {
    const adapter = adapterFor(cloud1);
    const image = await createImage(adapter);
    const upload = adapter.uploadImageData(image.id, randomImageStream(2 * MiB, run), {
      size: 2 * MiB + 1,
    });
    await expect(upload).rejects.toBeInstanceOf(IntegrityError);
    // Glance takes a moment to put the image back to queued; until then a retry is refused as
    // transient, which is what makes the daemon try again after a back-off.
    await retrying(() =>
      adapter.uploadImageData(image.id, randomImageStream(2 * MiB, run), { size: 2 * MiB }),
    );
    expect(await adapter.getImage(image.id)).toMatchObject({ status: 'active', size: 2 * MiB });
  });

  it('reports an upload refused for its token as transient, and the retry logs in again', async () => {
    const adapter = adapterFor(cloud1);
    const image = await createImage(adapter);
    const revoked = (await adapter.keystone.refresh()).value;
    await keystoneApi(cloud1, 'DELETE', '/auth/tokens', revoked);
    const upload = adapter.uploadImageData(image.id, randomImageStream(MiB, run), { size: MiB });
    await expect(upload).rejects.toBeInstanceOf(TransientError);
    expect(await adapter.keystone.token()).not.toBe(revoked);
    expect((await adapter.getImage(image.id)).status).toBe('queued');
    await adapter.uploadImageData(image.id, randomImageStream(MiB, run), { size: MiB });
    expect((await adapter.getImage(image.id)).status).toBe('active');
  });
});

describe('listing', () => {
  it('follows every page, with and without a name filter', async () => {
    const adapter = adapterFor(cloud1, 'demo', { pageSize: 2 });
    // Colons and commas are filter syntax to Glance; the name must still match exactly.
    const sharedName = `${run} list:a,"b"`;
    const named: string[] = [];
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      const image = await createImage(adapter, { name: i < 3 ? sharedName : `${run}-list-${i}` });
      mine.push(image.id);
      if (i < 3) named.push(image.id);
    }
    const seen: string[] = [];
    for await (const image of adapter.listImages()) seen.push(image.id);
    expect(seen).toEqual(expect.arrayContaining(mine));
    expect(new Set(seen).size).toBe(seen.length);

    const byName: string[] = [];
    for await (const image of adapter.listImages({ name: sharedName })) byName.push(image.id);
    expect(byName.sort()).toEqual(named.sort());
  });

  it('lists hidden images (os_hidden) only when asked to, each marked hidden, on every page', async () => {
    const adapter = adapterFor(cloud1, 'demo', { pageSize: 2 });
    const shown = await createImage(adapter, { name: `${run}-shown` });
    const hidden: string[] = [];
    const agent = new Agent();
    try {
      const glance = new GlanceClient(await adapter.keystone.imageEndpoint(), adapter.keystone, {
        dispatcher: agent,
      });
      for (let i = 0; i < 3; i++) {
        const image = await createImage(adapter, { name: `${run}-hidden-${i}` });
        await glance.updateImage(image.id, [{ op: 'replace', path: '/os_hidden', value: true }]);
        hidden.push(image.id);
      }
    } finally {
      await agent.close();
    }
    const listed = async (includeHidden?: boolean) => {
      const seen = new Map<string, boolean | undefined>();
      for await (const image of adapter.listImages(includeHidden ? { includeHidden } : {}))
        seen.set(image.id, image.hidden);
      return seen;
    };
    // Glance's default listing leaves hidden images out, which is why the inventory asks for them.
    const visible = await listed();
    expect(visible.get(shown.id)).toBe(false);
    for (const id of hidden) expect(visible.has(id)).toBe(false);

    const all = await listed(true);
    expect(all.get(shown.id)).toBe(false);
    for (const id of hidden) expect(all.get(id)).toBe(true);
    // A lookup by name is what the cloud's users see: the hidden image is not under its name.
    const byName: string[] = [];
    for await (const image of adapter.listImages({ name: `${run}-hidden-0` }))
      byName.push(image.id);
    expect(byName).toEqual([]);
    await expect(adapter.getImage(hidden[0]!)).resolves.toMatchObject({ hidden: true });
  });
});

describe('tokens', () => {
  it('keeps working past the lifetime of a short token, and after invalidate()', async () => {
    const cloud = shortTokenCloud(30);
    const adapter = adapterFor(cloud);
    // The transfer tests stop this cloud's Glance for a moment; that is not what is tested here.
    const image = await retrying(() => createImage(adapter));
    const first = await adapter.keystone.token();
    await new Promise((resolve) => setTimeout(resolve, (cloud.tokenExpiration + 1) * 1000));
    await expect(retrying(() => adapter.getImage(image.id))).resolves.toMatchObject({
      id: image.id,
    });
    const second = await adapter.keystone.token();
    expect(second).not.toBe(first);

    adapter.keystone.invalidate();
    await expect(retrying(() => adapter.getImage(image.id))).resolves.toMatchObject({
      id: image.id,
    });
    expect(await adapter.keystone.token()).not.toBe(second);
  });

  it('logs in again and retries once when Glance rejects the token', async () => {
    const adapter = adapterFor(cloud1);
    const image = await createImage(adapter);
    // A token Glance has never seen, revoked before it is used, so Glance's token cache cannot hide it.
    const revoked = (await adapter.keystone.refresh()).value;
    await keystoneApi(cloud1, 'DELETE', '/auth/tokens', revoked);
    await expect(adapter.getImage(image.id)).resolves.toMatchObject({ id: image.id });
    expect(await adapter.keystone.token()).not.toBe(revoked);
  });

  it('retries with a fresh token after a garbage one', async () => {
    const adapter = adapterFor(cloud1);
    let handedOutGarbage = false;
    const invalidated: (string | undefined)[] = [];
    const corrupting: TokenProvider = {
      token: async () => {
        if (handedOutGarbage) return adapter.keystone.token();
        handedOutGarbage = true;
        return 'gAAAAA-not-a-token';
      },
      invalidate: (rejected) => {
        invalidated.push(rejected);
        adapter.keystone.invalidate(rejected);
      },
    };
    const agent = new Agent();
    try {
      const glance = new GlanceClient(await adapter.keystone.imageEndpoint(), corrupting, {
        dispatcher: agent,
      });
      await expect(glance.importMethods()).resolves.toBeInstanceOf(Array);
      expect(invalidated).toEqual(['gAAAAA-not-a-token']);
    } finally {
      await agent.close();
    }
  });
});
