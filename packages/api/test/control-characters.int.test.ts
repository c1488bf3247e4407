/**
 * Names with control characters: what a cloud reports is listed whatever it holds, and what users
 * send is refused before anything is created anywhere. The image with a NUL in its name is made on
 * sandbox cloud4 (the one kept for fault tests), so no other test's inventory meets it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { sandboxCloud } from '../../../test-support/sandbox';
import type { Matrix } from '../src/schemas/matrix';
import { CloudImages } from '../../../test-support/cloud-images';
import {
  refreshAll,
  startInventoryWorker,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import {
  siteBody,
  withSites,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const run = `cc-${randomBytes(4).toString('hex')}`;
const cloud4 = sandboxCloud(4);
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let user: Session;
let worker: RunningWorker | undefined;
let site: Record<'four', string>;

beforeAll(async () => {
  ({ env, server, user, site } = await withSites({ four: 4 }));
});

afterAll(async () => {
  await worker?.close();
  const adapter = images.adapter(cloud4);
  for await (const image of adapter.listImages())
    if (image.name.startsWith(run)) await adapter.deleteImage(image.id).catch(() => {});
  await images.close();
  await env?.close();
});

/** The names of this run's images on cloud4, as Glance has them. */
async function namesInGlance(): Promise<string[]> {
  const names: string[] = [];
  for await (const image of images.adapter(cloud4).listImages())
    if (image.name.startsWith(run)) names.push(image.name);
  return names.sort();
}

const everyTable = () =>
  env.snapshot('sites', 'credentials', 'audit_events', 'images', 'placements', 'jobs', 'accounts');

test('a NUL in a Glance image name no longer stops the inventory: it is stored and shown escaped', async () => {
  await images.adapter(cloud4).createImage({
    id: randomUUID(),
    name: `${run}-nul\u0000name`,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
    properties: {},
  });
  await images.seed(cloud4, `${run}-plain`, run);
  worker = await startInventoryWorker(env);
  await refreshAll(server, user);

  const matrix = await server.inject({
    method: 'GET',
    url: `/api/v1/matrix?name=${run}`,
    headers: { cookie: user.cookie },
  });
  expect(matrix.statusCode).toBe(200);
  expect(matrix.json<Matrix>().rows.map((row) => row.name)).toEqual([
    `${run}-nul\\u0000name`,
    `${run}-plain`,
  ]);
  const listed = await server.inject({
    method: 'GET',
    url: `/api/v1/sites/${site.four}`,
    headers: { cookie: user.cookie },
  });
  expect(listed.json().inventoriedAt).not.toBeNull();
});

const json = (method: 'POST' | 'PATCH', url: string, payload: unknown): InjectOptions => ({
  method,
  url,
  headers: user.headers,
  payload: payload as InjectOptions['payload'],
});

const refused: [string, () => InjectOptions][] = [
  [
    'an upload named a%00b',
    () => ({
      method: 'POST',
      url: `/api/v1/images/upload?site=${site.four}&name=${run}-up%00b&diskFormat=raw`,
      headers: { ...user.headers, 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(4096, 7),
    }),
  ],
  [
    'an upload whose name holds a line break',
    () => ({
      method: 'POST',
      url: `/api/v1/images/upload?site=${site.four}&name=${run}-up%0Ab&diskFormat=raw`,
      headers: { ...user.headers, 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(4096, 7),
    }),
  ],
  [
    'an import whose name holds a NUL',
    () =>
      json('POST', '/api/v1/images/import', {
        url: 'https://images.example.org/x.img',
        name: `${run}-im\u0000b`,
        diskFormat: 'raw',
        sites: [site.four],
      }),
  ],
  [
    'a site named with a bell',
    () => json('POST', '/api/v1/sites', siteBody(`${run}-\u0007`, cloud4)),
  ],
  [
    'a site from an openrc file named with an escape character',
    () =>
      json('POST', '/api/v1/sites/openrc', {
        name: `${run}-\u001b[31m`,
        openrc: `export OS_AUTH_URL=${cloud4.authUrl}\nexport OS_USERNAME=demo\n`,
        password: 'x',
      }),
  ],
  [
    'a site renamed with a NUL (PATCH /sites/:id)',
    () => json('PATCH', `/api/v1/sites/${site.four}`, { name: `${run}-a\u0000b` }),
  ],
  [
    'a site renamed with a C1 control character',
    () => json('PATCH', `/api/v1/sites/${site.four}`, { name: `${run}-a\u0085b` }),
  ],
  [
    'an EC2 account named with a tab',
    () =>
      json('POST', '/api/v1/accounts', {
        type: 'ec2',
        name: `${run}\tacct`,
        credential: {
          kind: 'ec2_keys',
          accessKeyId: 'AKIAEXAMPLEEXAMPLE00',
          secretAccessKey: 'x',
        },
      }),
  ],
];

describe('names with control characters are refused at the edge, before anything is created', () => {
  test.each(refused)('%s: 400, nothing stored, nothing on the cloud', async (_name, request) => {
    const before = await everyTable();
    const glanceBefore = await namesInGlance();
    const response = await server.inject(request());
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/must not contain (control characters|"\/" or control)/),
    });
    expect(await everyTable()).toEqual(before);
    expect(await namesInGlance()).toEqual(glanceBefore);
  });
});
