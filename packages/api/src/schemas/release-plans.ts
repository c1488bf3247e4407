import { Type, type Static } from '@fastify/type-provider-typebox';

const PlannedChange = Type.Object({
  kind: Type.Enum(['switch', 'hide', 'copy', 'delete', 'cancel'], {
    description:
      'switch: the version takes the stable name here; hide: it is renamed "NAME (VERSION)" and hidden (os_hidden on OpenStack, deprecated on EC2), still bootable by id; copy: its bytes are copied here; delete: its copy here is deleted; cancel: its copy here, queued or running (`job`), is cancelled and what it wrote is removed',
  }),
  version: Type.String(),
  bytes: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
    description: 'The bytes a copy moves (null: the size is unknown, or not a copy)',
  }),
  text: Type.String({ description: 'What happens, in words' }),
  job: Type.Optional(
    Type.Object(
      {
        id: Type.String({ description: 'The copy job, as /api/v1/jobs names it' }),
        state: Type.Enum(['queued', 'running']),
      },
      { description: 'cancel: the copy job cancelled' },
    ),
  ),
});

const PlannedStep = Type.Object({
  kind: Type.Enum(['halt', 'wave-done', 'next-wave', 'retire']),
  version: Type.String(),
  text: Type.String(),
});

export const ReleasePlan = Type.Object(
  {
    family: Type.String(),
    action: Type.Enum(['promote', 'rollback', 'halt', 'resume', 'next-wave']),
    channel: Type.Union([Type.String(), Type.Null()], {
      description: 'The channel the action moves; null for halt, resume and next-wave',
    }),
    version: Type.String({ description: 'The version the action is about' }),
    summary: Type.String(),
    sites: Type.Array(
      Type.Object({
        siteId: Type.String(),
        siteName: Type.String(),
        wave: Type.Integer({
          description: 'The wave the site is in (0 first); -1 when it is no longer a target',
        }),
        holds: Type.Union([Type.String(), Type.Null()], {
          description: 'The version holding the stable name here now',
        }),
        changes: Type.Array(PlannedChange, {
          description: 'What the rollout does here next once the action is taken; empty: nothing',
        }),
        withheld: Type.Array(PlannedChange, {
          description:
            'What the rollout would do here next without the action and will not with it (a halt withholds the copies and switches due)',
        }),
      }),
    ),
    steps: Type.Array(PlannedStep, {
      description: 'What the rollout does next to the family as a whole once the action is taken',
    }),
    bytes: Type.Number({ minimum: 0, description: 'The bytes its copies move, in all' }),
  },
  {
    description:
      'What an action would change on which site, found by applying it to the family’s facts and running the rollout’s own steps (those the daemon takes next); nothing is changed',
  },
);
export type ReleasePlan = Static<typeof ReleasePlan>;
export type PlannedChange = Static<typeof PlannedChange>;
