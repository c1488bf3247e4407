/**
 * Glance release naming on the wire, against a scripted fake Glance (mock: a unit test without
 * services, and the sandbox's file store cannot refuse a delete as in use, as RBD does). What the
 * real Glance makes of these requests is glance-release-naming.int.test.ts's.
 */
import { Agent } from 'undici';
import {
  GlanceClient,
  GlanceReleaseNaming,
  type GlanceImage,
  type JsonPatchOperation,
} from '@glint/cloud-adapters';
import { sendJson, startFakeService, type FakeService } from './openstack-fake-service';

const slot = { family: 'atlas', channel: 'latest', stableName: 'ATLAS worker' };
const images = new Map<string, GlanceImage>();
let glance: FakeService;
let agent: Agent;
let naming: GlanceReleaseNaming;
/** What Glance answers to DELETE, by image id. */
const deleteStatus = new Map<string, number>();

function image(id: string, fields: Partial<GlanceImage>): void {
  images.set(id, {
    id,
    status: 'active',
    owner: 'project-1',
    visibility: 'private',
    os_hidden: false,
    protected: false,
    ...fields,
  });
}

/** A JSON patch of top-level fields, as Glance applies it: all operations or none. */
function applyPatch(target: GlanceImage, operations: JsonPatchOperation[]): void {
  for (const { op, path, value } of operations) {
    const key = path.slice(1);
    if (op === 'remove') delete target[key];
    else target[key] = value;
  }
}

beforeAll(async () => {
  glance = await startFakeService((request, response) => {
    const url = new URL(request.url, 'http://glance');
    const id = decodeURIComponent(url.pathname.split('/')[3] ?? '');
    if (request.method === 'GET' && url.pathname === '/v2/images') {
      const name = url.searchParams.get('name')?.replace(/^eq:/, '');
      const listed = [...images.values()].filter((i) => i.name === name && i.os_hidden !== true);
      return sendJson(response, 200, { images: listed });
    }
    const found = images.get(id);
    if (!found) return sendJson(response, 404, { message: 'No image found' });
    if (request.method === 'GET') return sendJson(response, 200, found);
    if (request.method === 'PATCH') {
      applyPatch(found, JSON.parse(request.body.toString()) as JsonPatchOperation[]);
      return sendJson(response, 200, found);
    }
    const status = deleteStatus.get(id) ?? 204;
    if (status === 204) images.delete(id);
    const message = status === 409 ? 'Image 3 could not be deleted because it is in use' : '';
    return sendJson(response, status, { message });
  });
  agent = new Agent();
  const client = new GlanceClient(
    glance.url,
    { token: async () => 'token', invalidate() {} },
    { dispatcher: agent },
  );
  naming = new GlanceReleaseNaming({
    glance: async () => client,
    projectId: async () => 'project-1',
  });
});

afterAll(async () => {
  await agent.close();
  await glance.close();
});

beforeEach(() => {
  images.clear();
  glance.requests.length = 0;
});

test('the new image is patched whole first, then the old one renamed and hidden in one PATCH', async () => {
  image('old', { name: 'ATLAS worker', glint_release_version: '1' });
  image('new', { name: 'ATLAS worker (2)', os_hidden: true });
  await naming.promote({
    slot,
    image: { imageId: 'new', version: '2' },
    scs: { uuid_validity: 'last-2' },
  });

  const patches = glance.requests.filter((request) => request.method === 'PATCH');
  expect(patches.map((request) => request.url)).toEqual(['/v2/images/new', '/v2/images/old']);
  const [first, second] = patches.map(
    (request) => JSON.parse(request.body.toString()) as JsonPatchOperation[],
  );
  expect(first).toEqual(
    expect.arrayContaining([
      { op: 'replace', path: '/name', value: 'ATLAS worker' },
      { op: 'replace', path: '/os_hidden', value: false },
      { op: 'add', path: '/uuid_validity', value: 'last-2' },
      { op: 'add', path: '/glint_release_version', value: '2' },
    ]),
  );
  expect(second).toEqual(
    expect.arrayContaining([
      { op: 'replace', path: '/name', value: 'ATLAS worker (1)' },
      { op: 'replace', path: '/os_hidden', value: true },
    ]),
  );
});

test('another project’s image under the name stops the promotion before anything changes', async () => {
  image('theirs', { name: 'ATLAS worker', owner: 'project-2' });
  image('new', { name: 'x', os_hidden: true });
  await expect(naming.promote({ slot, image: { imageId: 'new', version: '2' } })).rejects.toThrow(
    /only its project can rename it/,
  );
  expect(glance.requests.filter((request) => request.method === 'PATCH')).toEqual([]);
});

test('Glance’s 409 on delete (a volume or clone still uses the image) is retiring, in use', async () => {
  image('holder', { name: 'ATLAS worker' });
  image('old', { name: 'ATLAS worker (1)', os_hidden: true });
  deleteStatus.set('old', 409);
  expect(await naming.retire(slot, { imageId: 'old', version: '1' })).toMatchObject({
    outcome: 'retiring',
    reason: 'in-use',
  });
  expect(images.get('old')?.os_hidden).toBe(true);
  deleteStatus.delete('old');
  expect(await naming.retire(slot, { imageId: 'old', version: '1' })).toEqual({
    outcome: 'deleted',
  });
});

test('a 403 on delete of an image that is not protected is a permission error, not retiring', async () => {
  image('holder', { name: 'ATLAS worker' });
  image('old', { name: 'ATLAS worker (1)', os_hidden: true });
  deleteStatus.set('old', 403);
  await expect(naming.retire(slot, { imageId: 'old', version: '1' })).rejects.toThrow(
    /refused to delete image old/,
  );
  deleteStatus.delete('old');
});
