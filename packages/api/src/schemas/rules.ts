import { Type, type Static } from '@fastify/type-provider-typebox';
import { slugPattern, Timestamp, Uuid } from './common';
import { Labels } from './sites';
import { SiteTypeName } from './site-types';

const selectorNote =
  'Every field given must match (AND); the values inside one list are alternatives (OR). A selector that gives no field (or only empty maps) matches nothing, never everything.';

/** Which sites a rule puts images on (packages/core/src/selectors.ts SiteSelector). */
export const SiteSelector = Type.Object(
  {
    labels: Type.Optional(Labels),
    types: Type.Optional(Type.Array(SiteTypeName, { maxItems: 10 })),
    regions: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
        maxItems: 100,
        description: 'The site’s region (its settings’ region)',
      }),
    ),
    ids: Type.Optional(Type.Array(Uuid('A site'), { maxItems: 1000 })),
  },
  { additionalProperties: false, description: `Which sites. ${selectorNote}` },
);

/** Which logical images a rule places (packages/core/src/selectors.ts ImageSelector). */
export const ImageSelector = Type.Object(
  {
    names: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
        maxItems: 100,
        description: 'Globs on the whole name: * any run of characters, ? one character',
      }),
    ),
    properties: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 }), {
        maxProperties: 32,
        description: 'Glance properties (EC2 tags) that must all be present with these values',
      }),
    ),
    ids: Type.Optional(Type.Array(Uuid('A logical image (matrix row)'), { maxItems: 10_000 })),
  },
  { additionalProperties: false, description: `Which images. ${selectorNote}` },
);

export const RuleName = Type.String({
  pattern: slugPattern,
  description: 'A slug, unique in your project: lower-case letters, digits and "-", ≤63',
});

export const RuleParams = Type.Object({ name: RuleName });

export const RuleBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    images: ImageSelector,
    sites: SiteSelector,
    prune: Type.Optional(
      Type.Boolean({
        description:
          'Delete the copies this rule placed once it no longer implies them (default false: they stay, merely unwanted by the rule)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RuleBody = Static<typeof RuleBody>;

export const Rule = Type.Object({
  name: RuleName,
  description: Type.String(),
  images: ImageSelector,
  sites: SiteSelector,
  prune: Type.Boolean(),
  createdBy: Type.Union([Uuid('Who created it'), Type.Null()]),
  updatedBy: Type.Union([Uuid('Who last changed it'), Type.Null()]),
  createdAt: Timestamp('When it was created'),
  updatedAt: Timestamp('When it was last changed'),
});

export const RuleList = Type.Object({ rules: Type.Array(Rule) });

const PlanCell = Type.Object({
  imageId: Uuid('The logical image'),
  imageName: Type.String(),
  siteId: Uuid('The site'),
  siteName: Type.String(),
});

/** The cells a rule change implies now. */
export const RulePlan = Type.Object({
  copies: Type.Array(PlanCell, {
    description:
      'Cells the rule wants that hold no active copy and no hand tick decides: the reconciler copies them',
  }),
  deletes: Type.Array(PlanCell, {
    description:
      'Copies the rule placed that no rule implies any more, deleted because it prunes (safeguards still apply)',
  }),
});
export type RulePlan = Static<typeof RulePlan>;

export const SavedRule = Type.Object({
  rule: Rule,
  created: Type.Boolean({ description: 'The rule is new (else it was replaced)' }),
  plan: RulePlan,
});

export const RemovalPlan = Type.Object({
  ...RulePlan.properties,
  prune: Type.Boolean({ description: 'Whether removing the rule deletes what it placed' }),
  note: Type.String({ description: 'What removing the rule does, in words' }),
});
export type RemovalPlan = Static<typeof RemovalPlan>;

export const RemoveRuleQuery = Type.Object(
  {
    confirm: Type.Optional(
      Type.Boolean({
        description: 'Needed when the removal deletes copies (its removal plan has deletes)',
      }),
    ),
  },
  { additionalProperties: false },
);
