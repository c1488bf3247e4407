/**
 * A standing rule as a user writes it (a `rules:` entry of a placements file, `glint rule set -f`):
 * its name and the body of PUT /api/v1/rules/{name}. Selectors are the API's own (see
 * packages/core/src/selectors.ts and site-selector.ts): a selector giving no field matches
 * nothing, so it is refused here.
 */
import { selectorIsEmpty } from '@glint/core/client';
import { ruleNamePattern, ruleNameWords } from './rule-name';
import { SiteSelectorSchema, siteSelectorProblems, StringMap, Values } from './site-selector';
import { Type, type Static } from './typebox';
import type { PathProblem } from './yaml-file';

const ImageSelectorSchema = Type.Object(
  {
    names: Type.Optional(Values('name globs: * any characters, ? one')),
    properties: Type.Optional(StringMap('Glance properties the image must carry')),
    ids: Type.Optional(Values('image ids')),
  },
  { additionalProperties: false },
);

/** PUT /api/v1/rules/{name}'s body. */
const RuleBodySchema = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    images: ImageSelectorSchema,
    sites: SiteSelectorSchema,
    prune: Type.Optional(
      Type.Boolean({
        description: 'true to delete the copies the rule placed once it no longer implies them',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RuleBody = Static<typeof RuleBodySchema>;

/** A rule as written in a file: its name beside its body. */
export const WrittenRuleSchema = Type.Object(
  {
    name: Type.String({ pattern: ruleNamePattern, description: ruleNameWords }),
    ...RuleBodySchema.properties,
  },
  { additionalProperties: false },
);

/** A file of one rule (glint rule set -f), whose name the command line may give instead. */
export const RuleFileSchema = Type.Object(
  { ...WrittenRuleSchema.properties, name: Type.Optional(WrittenRuleSchema.properties.name) },
  { additionalProperties: false },
);
export type RuleFileData = Static<typeof RuleFileSchema>;

/** A rule of a file, with the line it starts on. */
export interface WrittenRule {
  name: string;
  line: number;
  body: RuleBody;
}

/** The body of a written rule: all but its name. */
export function ruleBody({ name: _name, ...body }: RuleFileData): RuleBody {
  return body;
}

/**
 * What the schema cannot say about a rule at `path`: a selector that selects nothing, labels Glint
 * would refuse.
 */
export function ruleProblems(rule: RuleBody, path: (string | number)[] = []): PathProblem[] {
  const problems: PathProblem[] = [];
  if (selectorIsEmpty(rule.images))
    problems.push({
      path: [...path, 'images'],
      text: 'selects no image: give names, properties or ids',
    });
  problems.push(...siteSelectorProblems(rule.sites, [...path, 'sites']));
  return problems;
}
