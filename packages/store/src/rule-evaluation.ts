import { imageMatches, siteMatches, type ImageSelector } from '@glint/core';
import type {
  RuleDefinition,
  RuleFacts,
  RuleImage,
  RuleWrites,
  Repositories,
} from './repositories';

/** The cells rules imply: by image, the sites each is wanted on and the first rule (by name) saying so. */
export type ImpliedCells = Map<string, Map<string, string>>;

type NamedRule = Pick<RuleDefinition, 'images' | 'sites'> & { name: string };

function imageSelected(selector: ImageSelector, image: RuleImage): boolean {
  const variants = image.variants.length > 0 ? image.variants : [{}];
  return variants.some((properties) =>
    imageMatches(selector, { id: image.id, name: image.name, properties }),
  );
}

/**
 * The cells `rules` imply on the facts' images and sites. Selectors are matched once per image and
 * once per site, so the cost is images × rules + the implied cells, never a query per pair.
 */
export function impliedCells(facts: Omit<RuleFacts, 'rules'>, rules: NamedRule[]): ImpliedCells {
  const implied: ImpliedCells = new Map();
  for (const rule of [...rules].sort((a, b) => a.name.localeCompare(b.name))) {
    const sites = facts.sites.filter((site) => siteMatches(rule.sites, site)).map((s) => s.id);
    if (sites.length === 0) continue;
    for (const image of facts.images) {
      if (!imageSelected(rule.images, image)) continue;
      let wanted = implied.get(image.id);
      if (!wanted) implied.set(image.id, (wanted = new Map()));
      for (const siteId of sites) if (!wanted.has(siteId)) wanted.set(siteId, rule.name);
    }
  }
  return implied;
}

const ruleOf = (implied: ImpliedCells, cell: { imageId: string; siteId: string }) =>
  implied.get(cell.imageId)?.get(cell.siteId);

/**
 * The rule rows the project's rules call for against those recorded: implied cells without a hand
 * row become wanted rule rows; a rule row no rule implies any more turns unwanted when the rule
 * that placed it prunes (and goes once its copy is gone), else it goes; hand rows learn which
 * rule they override.
 */
export function evaluateRules(facts: RuleFacts): RuleWrites {
  const implied = impliedCells(facts, facts.rules);
  const pruning = new Set(facts.rules.filter((rule) => rule.prune).map((rule) => rule.name));
  const held = new Map(facts.images.map((image) => [image.id, image.held]));
  const writes: RuleWrites = { upserts: [], removals: [], handRules: [] };
  for (const row of facts.placements) {
    const rule = ruleOf(implied, row) ?? null;
    // Seen: what is left in `implied` afterwards has no row yet.
    implied.get(row.imageId)?.delete(row.siteId);
    const at = { imageId: row.imageId, siteId: row.siteId };
    if (row.source === 'hand') {
      if (row.rule !== rule) writes.handRules.push({ ...at, rule });
    } else if (rule !== null) {
      if (!row.wanted || row.rule !== rule) writes.upserts.push({ ...at, wanted: true, rule });
    } else if (row.wanted && row.rule !== null && pruning.has(row.rule)) {
      writes.upserts.push({ ...at, wanted: false, rule: row.rule });
    } else if (row.wanted || !held.get(row.imageId)?.includes(row.siteId)) {
      writes.removals.push(at);
    }
  }
  for (const [imageId, sites] of implied)
    for (const [siteId, rule] of sites)
      writes.upserts.push({ imageId, siteId, wanted: true, rule });
  return writes;
}

/** One cell of a rule's plan, named for people. */
export interface RulePlanCell {
  imageId: string;
  imageName: string;
  siteId: string;
  siteName: string;
}

export interface RulePlan {
  /** Cells the rule wants that hold no active copy and no hand tick decides: copies to come. */
  copies: RulePlanCell[];
  /** Copies the rule placed, no rule implies any more, and its prune deletes. */
  deletes: RulePlanCell[];
}

/**
 * What changing rule `name` to `next` (null: removing it) implies now, against the project's
 * facts. Deletes come only when `prune` (the new version's, or the removed rule's) is on; copies
 * another rule also wants are listed too, since this rule wants them as well.
 */
export function rulePlan(
  facts: RuleFacts,
  name: string,
  next: RuleDefinition | null,
  prune: boolean,
): RulePlan {
  const current = facts.rules.find((rule) => rule.name === name);
  const before: ImpliedCells = current && prune ? impliedCells(facts, [current]) : new Map();
  const after: ImpliedCells = next ? impliedCells(facts, [{ ...next, name }]) : new Map();
  // Other rules matter only where this one stops implying something: matched on those images only.
  const elsewhere = impliedCells(
    { ...facts, images: facts.images.filter((image) => before.has(image.id)) },
    facts.rules.filter((rule) => rule.name !== name),
  );
  const hand = new Set(
    facts.placements
      .filter((row) => row.source === 'hand')
      .map((row) => `${row.imageId}/${row.siteId}`),
  );
  const active = new Map(facts.images.map((image) => [image.id, new Set(image.active)]));
  const images = new Map(facts.images.map((image) => [image.id, image]));
  const siteNames = new Map(facts.sites.map((site) => [site.id, site.name]));
  const named = (imageId: string, siteId: string): RulePlanCell => ({
    imageId,
    imageName: images.get(imageId)?.name ?? imageId,
    siteId,
    siteName: siteNames.get(siteId) ?? siteId,
  });
  const plan: RulePlan = { copies: [], deletes: [] };
  for (const [imageId, sites] of after)
    for (const siteId of sites.keys())
      if (!active.get(imageId)?.has(siteId) && !hand.has(`${imageId}/${siteId}`))
        plan.copies.push(named(imageId, siteId));
  if (!prune) return plan;
  for (const [imageId, sites] of before)
    for (const siteId of sites.keys()) {
      const cell = { imageId, siteId };
      if (ruleOf(after, cell) || ruleOf(elsewhere, cell) || hand.has(`${imageId}/${siteId}`))
        continue;
      if (images.get(imageId)?.held.includes(siteId)) plan.deletes.push(named(imageId, siteId));
    }
  return plan;
}

/**
 * Evaluates the owner's rules into their placements, in the caller's transaction (under the
 * owner's placements lock); returns the cells whose desired state changed.
 */
export async function reevaluateRules(
  repositories: Pick<Repositories, 'rulePlacements'>,
  ownerId: string,
  /** The facts already read in this transaction (with every placement row), to save reading them again. */
  facts?: RuleFacts,
): Promise<{ imageId: string; siteId: string }[]> {
  const writes = evaluateRules(facts ?? (await repositories.rulePlacements.facts(ownerId)));
  await repositories.rulePlacements.write(ownerId, writes);
  return [...writes.upserts, ...writes.removals];
}
