import { type FastifyPluginAsyncTypebox, type TSchema } from '@fastify/type-provider-typebox';
import type { RolloutAction } from '../../../release-actions';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { ReleasePlan } from '../../../schemas/release-plans';
import {
  ChannelBody,
  FamilyDetails,
  FamilyParams,
  HaltBody,
  PromoteBody,
} from '../../../schemas/releases';

const tags = ['releases'];

/** A rollout action: its path under the family, what it does, its body, and the action it asks for. */
interface ActionRoute {
  path: string;
  summary: string;
  /** None for actions that take no body. */
  body?: TSchema;
  action: (body: Record<string, string | undefined>) => RolloutAction;
}

const actions: ActionRoute[] = [
  {
    path: 'promote',
    summary: 'Point a channel (the one the stable name follows, by default) at a version',
    body: PromoteBody,
    action: (body) => ({ kind: 'promote', version: body.version!, channel: body.channel }),
  },
  {
    path: 'rollback',
    summary:
      'Point a channel back at its previous version: names swap back on every site, no byte copied',
    body: ChannelBody,
    action: (body) => ({ kind: 'rollback', channel: body.channel }),
  },
  {
    path: 'halt',
    summary: 'Stop the rollout where it is; no site switches until resumed',
    body: HaltBody,
    action: (body) => ({ kind: 'halt', reason: body.reason }),
  },
  {
    path: 'resume',
    summary: 'Resume a halted rollout; copies that failed are tried again',
    action: () => ({ kind: 'resume' }),
  },
  {
    path: 'waves/next',
    summary: 'Let the next wave start (families whose waves wait for a person)',
    action: () => ({ kind: 'next-wave' }),
  },
];

const planDescription =
  'The action applied to the family’s facts in memory and the rollout’s own steps run on them (the ones the daemon takes next): per site, what happens there (the stable name switched, the version that held it renamed and hidden, a copy and its bytes, or nothing) and what the action withholds; refused as the action would be. Changes nothing, so readers may ask.';

/**
 * Moving a family's rollout, which members may do: promote, roll back, halt, resume, next wave.
 * Each has a plan beside it (`…/plan`, same body) that shows what it would change on which site.
 */
const rollout: FastifyPluginAsyncTypebox = async (fastify) => {
  for (const { path, summary, body, action } of actions) {
    fastify.post<{ Params: { family: string }; Body: Record<string, string> | undefined }>(
      `/:family/${path}`,
      {
        schema: {
          'x-glint-role': 'member',
          tags,
          summary,
          params: FamilyParams,
          ...(body && { body }),
          response: { 200: FamilyDetails, ...errorReplies },
        },
      },
      async (request) =>
        fastify.releases.act(
          projectCallerOf(request),
          request.params.family,
          action(request.body ?? {}),
        ),
    );

    fastify.post<{ Params: { family: string }; Body: Record<string, string> | undefined }>(
      `/:family/${path}/plan`,
      {
        schema: {
          'x-glint-role': 'reader',
          tags,
          summary: `What this would change on which site: ${summary[0]!.toLowerCase()}${summary.slice(1)}`,
          description: planDescription,
          params: FamilyParams,
          ...(body && { body }),
          response: { 200: ReleasePlan, ...errorReplies },
        },
      },
      async (request) =>
        fastify.releases.plan(
          projectCallerOf(request),
          request.params.family,
          action(request.body ?? {}),
        ),
    );
  }
};

export default rollout;
