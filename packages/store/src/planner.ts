import {
  deleteRefusal,
  LAST_COPY_REFUSAL,
  type CopyCapabilities,
  type DeleteRefusalReason,
  type SiteType,
} from '@glint/core';
import type { Placement, PlanCopy, PlanFacts } from './repositories';

export interface PlannedCopy {
  imageId: string;
  source: { siteId: string; cloudImageId: string };
  /** One job fans out from the source to all of these. */
  destinations: string[];
  /** Bytes read from the source (once, whatever the number of destinations). */
  bytes: number | null;
}

export interface PlannedDelete {
  imageId: string;
  siteId: string;
  cloudImageId: string;
}

export type RefusalReason = 'no_source' | DeleteRefusalReason;

export interface Refusal extends Placement {
  reason: RefusalReason;
  message: string;
}

export interface Plan {
  copies: PlannedCopy[];
  deletes: PlannedDelete[];
  refusals: Refusal[];
  /** Changes already true, or already being made. */
  unchanged: number;
  /** The desired state to record: every change not refused. */
  placements: Placement[];
  /** The names of the images and sites the plan names, so whoever shows it needs no lookup. */
  names: { images: Record<string, string>; sites: Record<string, string> };
}

const cell = (imageId: string, siteId: string) => `${imageId}/${siteId}`;

/**
 * The jobs that would bring the cells to the wanted state. Sources are active copies with a known
 * hash. A destination whose cloud can copy from one of them itself (a site of the same type and
 * account, `copying` says which types can) gets it so: no byte passes through Glint. The other
 * copies of an image share one source Glint can read: the one in the destinations' region if any,
 * else the one with the fewest bytes already planned to read from its site. Deletes keep protected
 * images, public images another project owns, and (unless forced) the last copy anywhere.
 */
export function plan(
  facts: PlanFacts,
  changes: Placement[],
  force: boolean,
  copying: (type: SiteType) => CopyCapabilities,
): Plan {
  const sites = new Map(facts.sites.map((site) => [site.id, site]));
  const images = new Map(facts.images.map((image) => [image.id, image]));
  const open = new Map(facts.openJobs.map((job) => [cell(job.imageId, job.siteId), job.operation]));
  const held = new Map<string, PlanCopy>();
  const activeCopies = new Map<string, PlanCopy[]>();
  for (const copy of facts.copies) {
    const key = cell(copy.imageId, copy.siteId);
    if (!held.has(key) || copy.active) held.set(key, copy);
    if (copy.active)
      activeCopies.set(copy.imageId, [...(activeCopies.get(copy.imageId) ?? []), copy]);
  }

  // The last word on a cell counts.
  const byCell = new Map(changes.map((change) => [cell(change.imageId, change.siteId), change]));
  const result: Plan = {
    copies: [],
    deletes: [],
    refusals: [],
    unchanged: 0,
    placements: [],
    names: { images: {}, sites: {} },
  };
  const wantedOn = new Map<string, string[]>();
  const refuse = (change: Placement, reason: RefusalReason, message: string) =>
    result.refusals.push({ ...change, reason, message });

  for (const change of byCell.values()) {
    const key = cell(change.imageId, change.siteId);
    const copy = held.get(key);
    const busy = open.get(key);
    if (change.wanted) {
      if ((copy?.active ?? false) || (busy !== undefined && busy !== 'delete')) result.unchanged++;
      else wantedOn.set(change.imageId, [...(wantedOn.get(change.imageId) ?? []), change.siteId]);
      result.placements.push(change);
      continue;
    }
    if (!copy || busy === 'delete') {
      result.unchanged++;
      result.placements.push(change);
      continue;
    }
    const refusal = deleteRefusal(copy, sites.get(change.siteId)?.cloudProjectId ?? null);
    if (refusal) {
      refuse(change, refusal.reason, refusal.message);
      continue;
    }
    result.deletes.push({
      imageId: change.imageId,
      siteId: change.siteId,
      cloudImageId: copy.cloudImageId,
    });
    result.placements.push(change);
  }

  // Copies after deletes: a source must survive the plan.
  const deleted = new Set(result.deletes.map((d) => cell(d.imageId, d.siteId)));
  if (!force) {
    const kept: PlannedDelete[] = [];
    for (const del of result.deletes) {
      const remaining = (activeCopies.get(del.imageId) ?? []).filter(
        (c) => !deleted.has(cell(c.imageId, c.siteId)),
      );
      if (remaining.length === 0) {
        deleted.delete(cell(del.imageId, del.siteId));
        const change = { imageId: del.imageId, siteId: del.siteId, wanted: false };
        result.placements = result.placements.filter(
          (p) => cell(p.imageId, p.siteId) !== cell(del.imageId, del.siteId),
        );
        refuse(change, LAST_COPY_REFUSAL.reason, LAST_COPY_REFUSAL.message);
      } else kept.push(del);
    }
    result.deletes = kept;
  }

  const plannedBytes = new Map<string, number>();
  const load = (c: PlanCopy) => plannedBytes.get(c.siteId) ?? 0;
  const capabilitiesOf = (siteId: string) => {
    const type = sites.get(siteId)?.type;
    return type ? copying(type) : { readable: false, serverSideCopy: false };
  };
  /** Whether the destination's cloud can copy the source's image itself. */
  const copiesItself = (source: PlanCopy, destinationId: string) => {
    const from = sites.get(source.siteId);
    const to = sites.get(destinationId);
    return (
      !!from &&
      !!to &&
      from.type === to.type &&
      from.cloudProjectId !== null &&
      from.cloudProjectId === to.cloudProjectId &&
      capabilitiesOf(to.id).serverSideCopy
    );
  };
  for (const [imageId, destinations] of wantedOn) {
    const sources = (activeCopies.get(imageId) ?? []).filter(
      (c) => c.verified && !deleted.has(cell(c.imageId, c.siteId)),
    );
    const bytes = images.get(imageId)?.size ?? null;
    const byCloud = new Map<PlanCopy, string[]>();
    const streamed: string[] = [];
    for (const siteId of destinations.sort()) {
      const own = sources.find((source) => copiesItself(source, siteId));
      if (own) byCloud.set(own, [...(byCloud.get(own) ?? []), siteId]);
      else streamed.push(siteId);
    }
    for (const [source, copiedBy] of byCloud)
      result.copies.push({
        imageId,
        source: { siteId: source.siteId, cloudImageId: source.cloudImageId },
        destinations: copiedBy,
        bytes,
      });
    if (streamed.length === 0) continue;
    const readable = sources.filter((c) => capabilitiesOf(c.siteId).readable);
    if (readable.length === 0) {
      for (const siteId of streamed)
        refuse(
          { imageId, siteId, wanted: true },
          'no_source',
          sources.length === 0
            ? 'no site holds an active, verified copy to copy from'
            : 'no site holds an active, verified copy Glint can read, nor one this site’s cloud can copy itself (an AMI reaches other regions of its own account only)',
        );
      result.placements = result.placements.filter(
        (p) => p.imageId !== imageId || !streamed.includes(p.siteId),
      );
      continue;
    }
    const regions = new Set(streamed.map((id) => sites.get(id)?.region));
    const source = [...readable].sort(
      (a, b) =>
        Number(regions.has(sites.get(b.siteId)?.region)) -
          Number(regions.has(sites.get(a.siteId)?.region)) ||
        load(a) - load(b) ||
        a.siteId.localeCompare(b.siteId),
    )[0]!;
    plannedBytes.set(source.siteId, load(source) + (bytes ?? 0));
    result.copies.push({
      imageId,
      source: { siteId: source.siteId, cloudImageId: source.cloudImageId },
      destinations: streamed,
      bytes,
    });
  }
  result.names = namesOf(result, facts);
  return result;
}

function namesOf(planned: Plan, facts: PlanFacts): Plan['names'] {
  const imageIds = new Set<string>();
  const siteIds = new Set<string>();
  for (const copy of planned.copies) {
    imageIds.add(copy.imageId);
    siteIds.add(copy.source.siteId);
    for (const siteId of copy.destinations) siteIds.add(siteId);
  }
  for (const cell of [...planned.deletes, ...planned.refusals]) {
    imageIds.add(cell.imageId);
    siteIds.add(cell.siteId);
  }
  const pick = (known: { id: string; name: string }[], ids: Set<string>) =>
    Object.fromEntries(
      known.filter((item) => ids.has(item.id)).map((item) => [item.id, item.name]),
    );
  return { images: pick(facts.images, imageIds), sites: pick(facts.sites, siteIds) };
}
