import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import {
  RemovalPlan,
  RemoveRuleQuery,
  RuleBody,
  RuleParams,
  RulePlan,
} from '../../../schemas/rules';

const tags = ['rules'];

/** What a rule would do before it is saved or removed, and its removal. */
const ruleConsequences: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/:name/preview',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'The plan saving this rule would imply now, without saving it',
        params: RuleParams,
        body: RuleBody,
        response: { 200: RulePlan, ...errorReplies },
      },
    },
    async (request) =>
      fastify.rules.preview(projectCallerOf(request), request.params.name, request.body),
  );

  fastify.get(
    '/:name/removal-plan',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'What removing the rule would delete',
        description:
          'Only a pruning rule deletes on removal; without prune the copies stay and merely stop being wanted by it.',
        params: RuleParams,
        response: { 200: RemovalPlan, ...errorReplies },
      },
    },
    async (request) => fastify.rules.removalPlan(projectCallerOf(request), request.params.name),
  );

  fastify.delete(
    '/:name',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Remove a rule',
        description:
          'When its removal plan has deletes (a pruning rule), ?confirm=true is needed; without it the reply is a 409 (rule_removal_unconfirmed) whose details are the plan.',
        params: RuleParams,
        querystring: RemoveRuleQuery,
        response: { 204: Type.Null(), ...errorReplies },
      },
    },
    async (request, reply) => {
      await fastify.rules.remove(
        projectCallerOf(request),
        request.params.name,
        request.query.confirm ?? false,
      );
      return reply.code(204).send(null);
    },
  );
};

export default ruleConsequences;
