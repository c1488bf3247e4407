/**
 * Issue 15: the members of one project share its events. Real Keystone users of the sandbox (with
 * Keystone's default role names): team-member of project team-a places an image, and team-reader
 * and team-admin, the same project's other users, hear the copy on their own event streams, while
 * team-admin logged in to project team-b, a caller of another project, does not.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { CloudImages } from '../../../test-support/cloud-images';
import { eventStream } from '../../../test-support/event-stream';
import {
  refreshAll,
  startInventoryWorker,
  type RunningWorker,
} from '../../../test-support/inventory-worker';
import { sandboxCloud } from '../../../test-support/sandbox';
import {
  addSandboxSites,
  applyPlacements,
  login,
  matrixRow,
  testEnvironment,
  type Session,
  type TestEnvironment,
} from '../../../test-support/test-environment';

const run = `pe-${randomBytes(4).toString('hex')}`;
const images = new CloudImages();
let env: TestEnvironment;
let server: FastifyInstance;
let base: string;
let worker: RunningWorker;
let team: Record<'reader' | 'member' | 'admin', Session>;
/** team-admin, scoped to project team-b. */
let otherProject: Session;
let site: Record<'one' | 'two', string>;
let otherSite: string;

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start({ GLINT_PROJECT_ADMIN_ROLES: 'admin' });
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  team = {
    reader: await login(server, 'team-reader'),
    member: await login(server, 'team-member'),
    admin: await login(server, 'team-admin'),
  };
  otherProject = await login(server, 'team-admin', 'team-b');
  await images.seed(sandboxCloud(1), `${run}-x`, run);
  site = await addSandboxSites(server, team.admin, { one: 1, two: 2 });
  ({ elsewhere: otherSite } = await addSandboxSites(server, otherProject, { elsewhere: 2 }));
  worker = await startInventoryWorker(env);
  await refreshAll(server, team.member);
});

afterAll(async () => {
  await worker?.close();
  await images.close();
  await env?.close();
});

test("a member's placement is heard by the project's other users, and not by another project", async () => {
  const imageId = (await matrixRow(server, team.reader, run)).id;
  const reader = await eventStream(base, team.reader);
  const admin = await eventStream(base, team.admin);
  const other = await eventStream(base, otherProject);
  await Promise.all([reader, admin, other].map((stream) => stream.until(': connected')));

  const applied = await applyPlacements(server, team.member, [
    { image: imageId, site: site.two, wanted: true },
  ]);
  const copy = applied.jobs.find((job) => job.operation === 'copy')!.id;
  for (const stream of [reader, admin]) {
    await stream.until(copy);
    expect(stream.text()).toContain('event: job\n');
  }

  // Events reach a stream in the order they are published: once team-b's own job has arrived,
  // team-a's earlier copy would have too.
  const imported = await server.inject({
    method: 'POST',
    url: '/api/v1/images/import',
    headers: otherProject.headers,
    payload: { url: 'https://8.8.8.8/x.raw', name: 'x', diskFormat: 'raw', sites: [otherSite] },
  });
  expect(imported.statusCode).toBe(202);
  const otherJob = imported.json<{ jobId: string }>().jobId;
  await other.until(otherJob);
  for (const heardElsewhere of [copy, imageId, site.one, site.two])
    expect(other.text()).not.toContain(heardElsewhere);
  expect(reader.text()).not.toContain(otherJob);
  await Promise.all([reader, admin, other].map((stream) => stream.close()));
});
