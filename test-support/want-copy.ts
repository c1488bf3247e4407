import type { FastifyInstance } from 'fastify';
import { refreshAll } from './inventory-worker';
import { applyPlacements, matrixRow, type Session } from './test-environment';

/**
 * Wants the image called `name`, put on a site outside Glint, on `siteId` as the panel would: every
 * site's inventory taken, the placement applied. Returns the copy's job id (its queue id).
 */
export async function wantCopy(
  server: FastifyInstance,
  session: Session,
  name: string,
  siteId: string,
): Promise<string> {
  await refreshAll(server, session);
  const row = await matrixRow(server, session, name);
  const applied = await applyPlacements(server, session, [
    { image: row.id, site: siteId, wanted: true },
  ]);
  return applied.jobs[0]!.id;
}
