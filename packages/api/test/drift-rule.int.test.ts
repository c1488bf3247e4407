/**
 * The drift rule is written twice, on purpose: in TypeScript (`driftOf`, the matrix's `drift` on a
 * page of cells) and in SQL (`placements.drifted`, the reconciler's scan of all of an owner's
 * cells, which must not read every cell into the process to find the few that drifted). This test
 * holds them to one meaning: on every combination of desired state, copies on the site and last
 * job, both find the same cells, with the same kind of drift.
 */
import type { FastifyInstance } from 'fastify';
import { driftOf } from '../src/cell-state';
import { testEnvironment, type TestEnvironment } from '../../../test-support/test-environment';

const wantedStates = [null, true, false] as const;
/** What the site holds of the image: its copies' statuses. */
const copySets = [[], ['active'], ['saving'], ['killed'], ['active', 'killed']] as const;
const lastJobs = [null, 'queued', 'running', 'succeeded', 'failed'] as const;

let env: TestEnvironment;
let server: FastifyInstance;
let ownerId: string;
let siteId: string;
/** Each image is one combination, on the one site. */
const combinations = new Map<string, string>();

beforeAll(async () => {
  env = await testEnvironment();
  server = await env.start();
  [{ id: ownerId }] = (await env.query<{ id: string }>(
    `INSERT INTO projects (keystone_project_id, domain_id, name)
     VALUES ('drift-rule', 'default', 'drift') RETURNING id`,
  )) as [{ id: string }];
  [{ id: siteId }] = (await env.query<{ id: string }>(
    `INSERT INTO sites (owner_id, type, name, config)
     VALUES ($1, 'openstack', 'one', '{"authUrl": "http://127.0.0.1:1/v3", "interface": "public"}')
     RETURNING id`,
    [ownerId],
  )) as [{ id: string }];
  for (const wanted of wantedStates)
    for (const copies of copySets)
      for (const job of lastJobs) {
        const name = `wanted=${wanted} copies=${copies.join('+') || 'none'} job=${job}`;
        const [{ id }] = (await env.query<{ id: string }>(
          'INSERT INTO images (owner_id, name) VALUES ($1, $2) RETURNING id',
          [ownerId, name],
        )) as [{ id: string }];
        combinations.set(id, name);
        if (wanted !== null)
          await env.query(
            'INSERT INTO placements (owner_id, image_id, site_id, wanted) VALUES ($1, $2, $3, $4)',
            [ownerId, id, siteId, wanted],
          );
        for (const [i, status] of copies.entries())
          await env.query(
            `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, visibility, status, seen_at)
             VALUES ($1, $2, $3, $4, $5, 'private', $6, now())`,
            [ownerId, siteId, `${id}-${i}`, id, name, status],
          );
        if (job !== null)
          await env.query(
            `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, destination_site_id, state)
             VALUES ($1, $2, 'copy', $3, $4, $5)`,
            [ownerId, `copy-${id}`, id, siteId, job],
          );
      }
});

afterAll(async () => {
  await env?.close();
});

test('driftOf and placements.drifted find the same drifted cells, of the same kind', async () => {
  const { matrix, placements } = server.repositories;
  const facts = await matrix.cells(ownerId, [...combinations.keys()]);
  const byTypeScript = Object.fromEntries(
    facts.flatMap((fact) => {
      const drift = driftOf(fact);
      return drift ? [[combinations.get(fact.imageId)!, drift]] : [];
    }),
  );
  const bySql = Object.fromEntries(
    (await placements.drifted(ownerId)).map((cell) => [
      combinations.get(cell.imageId)!,
      cell.wanted ? 'missing' : 'unwanted',
    ]),
  );
  expect(facts).toHaveLength(combinations.size);
  expect(bySql).toEqual(byTypeScript);
  // Both kinds occur, so the agreement says something about each.
  expect(new Set(Object.values(byTypeScript))).toEqual(new Set(['missing', 'unwanted']));
});
