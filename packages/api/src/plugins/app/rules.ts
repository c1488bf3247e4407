import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { labelProblems, type GlintEvent } from '@glint/core';
import {
  unstorableTextIn,
  reevaluateRules,
  ruleNameConstraint,
  rulePlan,
  type Repositories,
  type RuleDefinition,
  type RuleRecord,
} from '@glint/store';
import { ApiError, notFound } from '../../errors';
import type { ProjectCaller } from '../../caller';
import type { RemovalPlan, RuleBody, RulePlan } from '../../schemas/rules';
import { writingNamed } from '../../site-writes';

type Cell = { imageId: string; siteId: string };

/** The stored definition of a rule body: defaults filled in, labels and text checked. */
function definitionOf(body: RuleBody): RuleDefinition {
  // Selectors are stored as JSON documents, which hold neither NUL nor half a surrogate pair.
  const unstorable = unstorableTextIn([body.images, body.sites]);
  if (unstorable !== undefined)
    throw new ApiError(
      400,
      'invalid_rule',
      `the selector text ${JSON.stringify(unstorable)} holds NUL or a lone UTF-16 surrogate: send text without them`,
    );
  const problems = labelProblems(body.sites.labels ?? {});
  if (problems.length > 0)
    throw new ApiError(400, 'invalid_labels', `sites.labels: ${problems.join('; ')}`, problems);
  return {
    description: body.description ?? '',
    images: body.images,
    sites: body.sites,
    prune: body.prune ?? false,
  };
}

const removalNote = (prune: boolean, deletes: number) =>
  prune
    ? `the rule prunes: removing it deletes the ${deletes} copies it placed that no other rule or hand tick wants (safeguards still apply); confirm with ?confirm=true`
    : 'the rule does not prune: removing it deletes nothing; the copies it placed stay, merely no longer wanted by it';

/**
 * A project's standing rules. A change is evaluated into the placements it implies in the
 * transaction that saves it, under the project's placements lock, so the matrix shows who placed
 * each cell at once; the copies and deletes are then the reconciler's, which the change enqueues.
 */
export class RuleService {
  constructor(private readonly fastify: FastifyInstance) {}

  list(caller: ProjectCaller): Promise<RuleRecord[]> {
    return this.fastify.repositories.rules.list(caller.ownerId);
  }

  async get(caller: ProjectCaller, name: string): Promise<RuleRecord> {
    const rule = await this.fastify.repositories.rules.find(caller.ownerId, name);
    if (!rule) throw notFound('rule', name);
    return rule;
  }

  /** What saving `body` as rule `name` would imply now, without saving it. */
  async preview(caller: ProjectCaller, name: string, body: RuleBody): Promise<RulePlan> {
    const definition = definitionOf(body);
    const facts = await this.fastify.repositories.rulePlacements.facts(caller.ownerId, {
      ruleRows: false,
      extra: definition,
    });
    return rulePlan(facts, name, definition, definition.prune);
  }

  async save(
    caller: ProjectCaller,
    name: string,
    body: RuleBody,
  ): Promise<{ rule: RuleRecord; created: boolean; plan: RulePlan }> {
    const definition = definitionOf(body);
    const { created, plan, cells, rule } = await writingNamed(
      this.fastify,
      [ruleNameConstraint],
      () => new ApiError(409, 'rule_name_taken', `a rule named ${name} was created meanwhile`),
      async (repositories) => {
        await repositories.placements.lockOwner(caller.ownerId);
        const facts = await repositories.rulePlacements.facts(caller.ownerId, {
          extra: definition,
        });
        const plan = rulePlan(facts, name, definition, definition.prune);
        const created = await repositories.rules.upsert(
          caller.ownerId,
          caller.userId,
          name,
          definition,
        );
        // The facts as they now are: the rule saved, nothing else changed under the lock.
        const rules = [
          ...facts.rules.filter((rule) => rule.name !== name),
          { ...definition, name },
        ];
        const cells = await reevaluateRules(repositories, caller.ownerId, { ...facts, rules });
        await this.audit(repositories, caller, name, created ? 'rule.created' : 'rule.updated', {
          copies: plan.copies.length,
          deletes: plan.deletes.length,
        });
        const rule = (await repositories.rules.find(caller.ownerId, name))!;
        return { created, plan, cells, rule };
      },
    );
    await this.changed(caller, [name], cells);
    return { rule, created, plan };
  }

  async removalPlan(caller: ProjectCaller, name: string): Promise<RemovalPlan> {
    return this.removalOn(this.fastify.repositories, caller, name);
  }

  /** Removes the rule; one whose removal deletes copies needs `confirm`, else a 409 with the plan. */
  async remove(caller: ProjectCaller, name: string, confirm: boolean): Promise<RemovalPlan> {
    const { removal, cells } = await this.fastify.transaction(async (repositories) => {
      await repositories.placements.lockOwner(caller.ownerId);
      const removal = await this.removalOn(repositories, caller, name);
      if (removal.deletes.length > 0 && !confirm)
        throw new ApiError(
          409,
          'rule_removal_unconfirmed',
          `removing rule ${name} deletes ${removal.deletes.length} copies: look at details, then repeat with ?confirm=true`,
          removal,
        );
      if (removal.prune) await repositories.rulePlacements.unwantRule(caller.ownerId, name);
      await repositories.rules.remove(caller.ownerId, name);
      const cells = await reevaluateRules(repositories, caller.ownerId);
      await this.audit(repositories, caller, name, 'rule.deleted', {
        deletes: removal.deletes.length,
      });
      return { removal, cells };
    });
    await this.changed(caller, [name], cells);
    return removal;
  }

  /**
   * Evaluates the rules again after something they select by changed (a site's labels, a new
   * site), and, unless an inventory that reconciles after it is on its way, enqueues a reconcile.
   */
  async reevaluate(caller: ProjectCaller, reconcile = true): Promise<void> {
    const cells = await this.fastify.transaction(async (repositories) => {
      await repositories.placements.lockOwner(caller.ownerId);
      return reevaluateRules(repositories, caller.ownerId);
    });
    await this.changed(caller, [], cells, reconcile);
  }

  private async removalOn(
    repositories: Repositories,
    caller: ProjectCaller,
    name: string,
  ): Promise<RemovalPlan> {
    const facts = await repositories.rulePlacements.facts(caller.ownerId, { ruleRows: false });
    const rule = facts.rules.find((candidate) => candidate.name === name);
    if (!rule) throw notFound('rule', name);
    const plan = rulePlan(facts, name, null, rule.prune);
    return { ...plan, prune: rule.prune, note: removalNote(rule.prune, plan.deletes.length) };
  }

  private audit(
    repositories: Repositories,
    caller: ProjectCaller,
    name: string,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return repositories.audit.record({
      ownerId: caller.ownerId,
      actorId: caller.userId,
      action,
      targetType: 'rule',
      targetId: name,
      details,
    });
  }

  /**
   * After a commit: a reconcile of the project, which copies and deletes what the rules now say
   * (one per change; the reconciler serialises them per project), and the events.
   */
  private async changed(
    caller: ProjectCaller,
    names: string[],
    cells: Cell[],
    reconcile = true,
  ): Promise<void> {
    if (reconcile)
      await this.fastify.queues.enqueue('reconcile', [
        {
          id: `reconcile-rules-${caller.ownerId}-${Date.now()}`,
          payload: { version: 1, ownerId: caller.ownerId },
        },
      ]);
    const events: GlintEvent[] = [];
    if (names.length > 0) events.push({ type: 'rules', ownerId: caller.ownerId, names });
    if (cells.length > 0)
      events.push({
        type: 'cells',
        siteIds: [...new Set(cells.map((cell) => cell.siteId))],
        imageIds: [...new Set(cells.map((cell) => cell.imageId))],
      });
    if (events.length > 0) await this.fastify.events.publish(caller.ownerId, events);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    rules: RuleService;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('rules', new RuleService(fastify));
  },
  { name: 'rules', dependencies: ['repositories', 'queues', 'events'] },
);
