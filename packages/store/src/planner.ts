import {
  deleteRefusal,
  LAST_COPY_REFUSAL,
  type CopyCapabilities,
  type DeleteRefusalReason,
  type SiteType,
} from '@glint/core';
import type { Placement, PlanCopy, PlanFacts, PlanImage, PlanSite } from './repositories';

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

/** The facts as the planner looks them up: by id, by cell, and the active copies by image. */
interface Index {
  sites: Map<string, PlanSite>;
  images: Map<string, PlanImage>;
  /** The operation of the job open on each cell. */
  open: Map<string, string>;
  /** The copy each cell holds: an active one where there are several. */
  held: Map<string, PlanCopy>;
  activeCopies: Map<string, PlanCopy[]>;
}

function indexOf(facts: PlanFacts): Index {
  const held = new Map<string, PlanCopy>();
  const activeCopies = new Map<string, PlanCopy[]>();
  for (const copy of facts.copies) {
    const key = cell(copy.imageId, copy.siteId);
    if (!held.has(key) || copy.active) held.set(key, copy);
    if (copy.active)
      activeCopies.set(copy.imageId, [...(activeCopies.get(copy.imageId) ?? []), copy]);
  }
  return {
    sites: new Map(facts.sites.map((site) => [site.id, site])),
    images: new Map(facts.images.map((image) => [image.id, image])),
    open: new Map(facts.openJobs.map((job) => [cell(job.imageId, job.siteId), job.operation])),
    held,
    activeCopies,
  };
}

const refuse = (result: Plan, change: Placement, reason: RefusalReason, message: string) =>
  result.refusals.push({ ...change, reason, message });

/**
 * Sorts the changes into deletes (those the safeguards allow), refusals and cells already right or
 * under way; returns the sites each image is wanted on and not yet there, by image.
 */
function sortChanges(index: Index, changes: Placement[], result: Plan): Map<string, string[]> {
  // The last word on a cell counts.
  const byCell = new Map(changes.map((change) => [cell(change.imageId, change.siteId), change]));
  const wantedOn = new Map<string, string[]>();
  for (const change of byCell.values()) {
    const key = cell(change.imageId, change.siteId);
    const copy = index.held.get(key);
    const busy = index.open.get(key);
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
    const refusal = deleteRefusal(copy, index.sites.get(change.siteId)?.cloudProjectId ?? null);
    if (refusal) {
      refuse(result, change, refusal.reason, refusal.message);
      continue;
    }
    result.deletes.push({
      imageId: change.imageId,
      siteId: change.siteId,
      cloudImageId: copy.cloudImageId,
    });
    result.placements.push(change);
  }
  return wantedOn;
}

/**
 * Unless forced, refuses the deletes that would leave an image no active copy; returns the cells
 * whose copies the plan deletes.
 */
function keepLastCopies(index: Index, result: Plan, force: boolean): Set<string> {
  const deleted = new Set(result.deletes.map((d) => cell(d.imageId, d.siteId)));
  if (force) return deleted;
  const kept: PlannedDelete[] = [];
  for (const del of result.deletes) {
    const remaining = (index.activeCopies.get(del.imageId) ?? []).filter(
      (c) => !deleted.has(cell(c.imageId, c.siteId)),
    );
    if (remaining.length === 0) {
      deleted.delete(cell(del.imageId, del.siteId));
      const change = { imageId: del.imageId, siteId: del.siteId, wanted: false };
      result.placements = result.placements.filter(
        (p) => cell(p.imageId, p.siteId) !== cell(del.imageId, del.siteId),
      );
      refuse(result, change, LAST_COPY_REFUSAL.reason, LAST_COPY_REFUSAL.message);
    } else kept.push(del);
  }
  result.deletes = kept;
  return deleted;
}

/** How a site type's images can be copied: the adapter registry's say. */
export type CopyingOf = (type: SiteType) => CopyCapabilities;

/**
 * Whether the destination's cloud can copy the source's image itself: same type and account (cloud
 * project), another region.
 */
function copiesItself(index: Index, copying: CopyingOf, source: PlanCopy, destinationId: string) {
  const from = index.sites.get(source.siteId);
  const to = index.sites.get(destinationId);
  return (
    !!from &&
    !!to &&
    from.type === to.type &&
    from.cloudProjectId !== null &&
    from.cloudProjectId === to.cloudProjectId &&
    from.region !== to.region &&
    copying(to.type).serverSideCopy
  );
}

/**
 * The source the destination's cloud copies itself, if any. None where Glint can read a copy in
 * the destination's own region of its own cloud: streamed from there, it goes no farther.
 */
function cloudSource(
  index: Index,
  copying: CopyingOf,
  sources: PlanCopy[],
  destinationId: string,
): PlanCopy | undefined {
  const to = index.sites.get(destinationId);
  const near = sources.some((c) => {
    const site = index.sites.get(c.siteId);
    return (
      !!site &&
      site.region === to?.region &&
      site.cloudProjectId === to.cloudProjectId &&
      copying(site.type).readable
    );
  });
  if (near) return undefined;
  return sources.find((source) => copiesItself(index, copying, source, destinationId));
}

/**
 * The copy jobs of each image, from sources that survive the plan: one from each copy a
 * destination's cloud copies itself, and one for the rest from a copy Glint can read; refusals
 * where there is none.
 */
function planCopies(
  index: Index,
  copying: CopyingOf,
  wantedOn: Map<string, string[]>,
  deleted: Set<string>,
  result: Plan,
): void {
  const plannedBytes = new Map<string, number>();
  const load = (c: PlanCopy) => plannedBytes.get(c.siteId) ?? 0;
  for (const [imageId, destinations] of wantedOn) {
    const sources = (index.activeCopies.get(imageId) ?? []).filter(
      (c) => c.verified && !deleted.has(cell(c.imageId, c.siteId)),
    );
    const bytes = index.images.get(imageId)?.size ?? null;
    const byCloud = new Map<PlanCopy, string[]>();
    const streamed: string[] = [];
    for (const siteId of destinations.sort()) {
      const own = cloudSource(index, copying, sources, siteId);
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
    const readable = sources.filter((c) => {
      const type = index.sites.get(c.siteId)?.type;
      return type !== undefined && copying(type).readable;
    });
    if (readable.length === 0) {
      for (const siteId of streamed)
        refuse(
          result,
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
    const regions = new Set(streamed.map((id) => index.sites.get(id)?.region));
    const inRegion = (c: PlanCopy) => Number(regions.has(index.sites.get(c.siteId)?.region));
    const source = [...readable].sort(
      (a, b) => inRegion(b) - inRegion(a) || load(a) - load(b) || a.siteId.localeCompare(b.siteId),
    )[0]!;
    plannedBytes.set(source.siteId, load(source) + (bytes ?? 0));
    result.copies.push({
      imageId,
      source: { siteId: source.siteId, cloudImageId: source.cloudImageId },
      destinations: streamed,
      bytes,
    });
  }
}

/**
 * The jobs that would bring the cells to the wanted state. Sources are active copies with a known
 * hash. A destination whose cloud can copy from one of them itself (a site of the same type and
 * account, where `copying` says the type can) gets it so: no byte passes through Glint. The other
 * copies of an image share one source Glint can read: the one in the destinations' region if any,
 * else the one with the fewest bytes already planned to read from its site. Deletes keep protected
 * images, public images another project owns, and (unless forced) the last copy anywhere.
 */
export function plan(
  facts: PlanFacts,
  changes: Placement[],
  force: boolean,
  copying: CopyingOf,
): Plan {
  const index = indexOf(facts);
  const result: Plan = {
    copies: [],
    deletes: [],
    refusals: [],
    unchanged: 0,
    placements: [],
    names: { images: {}, sites: {} },
  };
  const wantedOn = sortChanges(index, changes, result);
  // Copies after deletes: a source must survive the plan.
  const deleted = keepLastCopies(index, result, force);
  planCopies(index, copying, wantedOn, deleted, result);
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
