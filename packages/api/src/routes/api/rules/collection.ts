import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { Rule, RuleBody, RuleList, RuleParams, SavedRule } from '../../../schemas/rules';

const tags = ['rules'];
const evaluation =
  'Rules are evaluated at once into the placements they imply (a hand tick on a cell overrides them, both ways); ' +
  'the reconciler then copies and deletes, and evaluates them again whenever sites, labels or images change.';

/** The project's rules: listed, read, and set with the plan each implies. */
const ruleCollection: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'Your project’s standing rules',
        response: { 200: RuleList, ...errorReplies },
      },
    },
    async (request) => ({ rules: await fastify.rules.list(projectCallerOf(request)) }),
  );

  fastify.get(
    '/:name',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'One of your project’s rules',
        params: RuleParams,
        response: { 200: Rule, ...errorReplies },
      },
    },
    async (request) => fastify.rules.get(projectCallerOf(request), request.params.name),
  );

  fastify.put(
    '/:name',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Create or replace a rule: these images belong on those sites',
        description: `The reply has the rule and the plan it implies now. ${evaluation}`,
        params: RuleParams,
        body: RuleBody,
        response: { 200: SavedRule, ...errorReplies },
      },
    },
    async (request) =>
      fastify.rules.save(projectCallerOf(request), request.params.name, request.body),
  );
};

export default ruleCollection;
