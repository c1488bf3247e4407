import {
  familyProblems,
  writtenFamily,
  WrittenFamilySchema,
  type WrittenFamily,
} from './family-definition';
import { ruleBody, ruleProblems, WrittenRuleSchema, type WrittenRule } from './rule-definition';
import { Type, type Static } from './typebox';
import { parseYamlFile, type PathProblem } from './yaml-file';

/**
 * The placements file of `glint plan -f` / `glint apply -f` (see examples/placements.yaml):
 *
 *   placements:
 *     - images: "cirros-*"          # a name pattern or id, or a list of them
 *       sites: [{ type: openstack }, "eu-*"]
 *   rules:                          # standing rules, by name (rule-definition.ts)
 *     - name: base-on-prod
 *       images: { names: ["ubuntu-*"] }
 *       sites: { labels: { tier: prod } }
 *   families:                       # release families, by name (family-definition.ts)
 *     - family: ubuntu-24.04
 *       stable_name: Ubuntu 24.04
 *       sites: { labels: { tier: prod } }
 *       waves: [{ labels: { role: canary } }]
 *       keep: 3
 *   force: false
 *
 * Placements are the desired state of the images they select now; rules keep placing what they
 * select, images and sites that come later included; families say how releases roll out. A file
 * holds any of them.
 */
const Pattern = Type.String({ minLength: 1, maxLength: 255 });

const SiteSelector = Type.Union(
  [
    Pattern,
    Type.Object({ name: Pattern }, { additionalProperties: false }),
    Type.Object({ type: Pattern }, { additionalProperties: false }),
  ],
  { description: 'a site name pattern or id, { name: pattern } or { type: site type }' },
);

const Placement = Type.Object(
  {
    images: Type.Union([Pattern, Type.Array(Pattern, { minItems: 1 })], {
      description: 'an image name pattern or id, or a list of them',
    }),
    sites: Type.Union([SiteSelector, Type.Array(SiteSelector)], {
      description: 'a site selector or a list of them ([] for none)',
    }),
  },
  { additionalProperties: false },
);

export const PlacementsFileSchema = Type.Object(
  {
    placements: Type.Optional(Type.Array(Placement, { minItems: 1 })),
    rules: Type.Optional(Type.Array(WrittenRuleSchema, { minItems: 1 })),
    families: Type.Optional(Type.Array(WrittenFamilySchema, { minItems: 1 })),
    force: Type.Optional(
      Type.Boolean({ description: 'true to delete even the last copy of an image anywhere' }),
    ),
  },
  { additionalProperties: false },
);
type PlacementsFileData = Static<typeof PlacementsFileSchema>;

export type SiteSelector = { name: string } | { type: string };

/** A selector with the line it is written on, for messages about it. */
export interface Located<T> {
  value: T;
  line: number;
}

export interface PlacementRule {
  line: number;
  images: Located<string>[];
  sites: Located<SiteSelector>[];
}

export interface PlacementsSpec {
  file: string;
  rules: PlacementRule[];
  /** The standing rules the file writes, in its order. */
  standingRules: WrittenRule[];
  /** The release families the file writes, in its order. */
  families: WrittenFamily[];
  force: boolean;
}

/** Parses and checks a placements file; every problem is reported with its line. */
export function parsePlacementsFile(text: string, file: string): PlacementsSpec {
  const { data, lineOf: at } = parseYamlFile<PlacementsFileData>(text, file, {
    schema: PlacementsFileSchema,
    what: 'a valid placements file',
    seeAlso: 'examples/placements.yaml',
    check: fileProblems,
  });
  const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
  const rules = (data.placements ?? []).map((placement, i): PlacementRule => {
    const imagesPath = ['placements', i, 'images'];
    const sitesPath = ['placements', i, 'sites'];
    return {
      line: at(['placements', i]),
      images: list(placement.images).map((value, j) => ({
        value,
        line: at(Array.isArray(placement.images) ? [...imagesPath, j] : imagesPath),
      })),
      sites: list(placement.sites).map((value, j) => ({
        value: typeof value === 'string' ? { name: value } : value,
        line: at(Array.isArray(placement.sites) ? [...sitesPath, j] : sitesPath),
      })),
    };
  });
  const standingRules = (data.rules ?? []).map((rule, i): WrittenRule => ({
    name: rule.name,
    line: at(['rules', i]),
    body: ruleBody(rule),
  }));
  const families = (data.families ?? []).map((family, i) =>
    writtenFamily(family, at(['families', i])),
  );
  return { file, rules, standingRules, families, force: data.force ?? false };
}

/**
 * What the schema cannot say: the file says something, and each rule and family once and
 * selecting.
 */
function fileProblems(data: PlacementsFileData): PathProblem[] {
  if (!data.placements && !data.rules && !data.families)
    return [{ path: [], text: 'give "placements", "rules", "families", or several of them' }];
  const problems: PathProblem[] = [
    ...writtenTwice(data.rules ?? [], 'rules', 'name', 'rule'),
    ...writtenTwice(data.families ?? [], 'families', 'family', 'family'),
  ];
  (data.rules ?? []).forEach((rule, i) => problems.push(...ruleProblems(rule, ['rules', i])));
  (data.families ?? []).forEach((family, i) =>
    problems.push(...familyProblems(family, ['families', i])),
  );
  return problems;
}

/** Entries of a section that repeat an earlier one's name: each is written once. */
function writtenTwice<K extends string>(
  entries: Record<K, string>[],
  section: string,
  key: K,
  what: string,
): PathProblem[] {
  const seen = new Set<string>();
  return entries.flatMap((entry, i) => {
    const name = entry[key];
    const twice = seen.has(name);
    seen.add(name);
    return twice
      ? [
          {
            path: [section, i, key],
            text: `${what} "${name}" is written twice: one entry per ${what}`,
          },
        ]
      : [];
  });
}
