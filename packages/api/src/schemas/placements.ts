import { Type, type Static } from '@fastify/type-provider-typebox';
import { Uuid } from './common';

/** Room for a whole desired matrix (100,000 changes) whatever GLINT_BODY_LIMIT says. */
export const planBodyLimit = 16 * 1024 * 1024;

const Change = Type.Object(
  {
    image: Uuid('The logical image (matrix row)'),
    site: Uuid('The site (matrix column)'),
    wanted: Type.Union([Type.Boolean(), Type.Null()], {
      description:
        'Whether the image is wanted on the site, by hand (overriding any rule); null clears the hand decision, giving the cell back to the rules: what they say then holds (nothing, when no rule implies the cell)',
    }),
    selfHeal: Type.Optional(
      Type.Union([Type.Enum(['off', 'restore', 'restore-and-prune']), Type.Null()], {
        description:
          'The cell’s own self-heal policy; null gives it back to the site’s, left out keeps it',
      }),
    ),
  },
  { additionalProperties: false },
);

const force = Type.Optional(
  Type.Boolean({ description: 'Delete even the last copy of an image anywhere' }),
);

export const PlanBody = Type.Union([
  Type.Object(
    { changes: Type.Array(Change, { minItems: 1, maxItems: 100_000 }), force },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      desired: Type.Array(
        Type.Object(
          {
            image: Uuid('The logical image'),
            sites: Type.Array(Uuid('A site'), {
              maxItems: 1000,
              description: 'Every site the image should be on; it is unwanted on all others',
            }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 10_000, description: 'A whole desired matrix, row by row' },
      ),
      force,
    },
    { additionalProperties: false },
  ),
]);
export type PlanBody = Static<typeof PlanBody>;

const Cell = { imageId: Uuid('The image'), siteId: Uuid('The site') };

export const PlanReply = Type.Object({
  copies: Type.Array(
    Type.Object({
      imageId: Uuid('The image'),
      source: Type.Object({ siteId: Uuid('Read from'), cloudImageId: Type.String() }),
      destinations: Type.Array(Uuid('Written to')),
      bytes: Type.Union([Type.Number(), Type.Null()], { description: 'Bytes read, once' }),
    }),
  ),
  deletes: Type.Array(Type.Object({ ...Cell, cloudImageId: Type.String() })),
  refusals: Type.Array(
    Type.Object({
      ...Cell,
      wanted: Type.Boolean(),
      reason: Type.Enum([
        'no_source',
        'protected',
        'public_not_owned',
        'hidden_not_placed',
        'last_copy',
      ]),
      message: Type.String(),
    }),
  ),
  unchanged: Type.Integer({ description: 'Changes already true or under way' }),
  givenBack: Type.Integer({
    description: 'Hand-decided cells given back to the rules (changes with wanted null)',
  }),
  bytes: Type.Number({ description: 'Bytes all copies read' }),
  names: Type.Object(
    {
      images: Type.Record(Type.String(), Type.String()),
      sites: Type.Record(Type.String(), Type.String()),
    },
    { description: 'The name of every image and site the plan names, by id' },
  ),
});

export const ApplyReply = Type.Object({
  ...PlanReply.properties,
  jobs: Type.Array(
    Type.Object({
      id: Type.String({ description: 'The job, as GET /api/v1/jobs/{id} and the events name it' }),
      operation: Type.Enum(['copy', 'delete']),
    }),
    { description: 'The jobs enqueued, one per copy (with all its destinations) or delete' },
  ),
});
