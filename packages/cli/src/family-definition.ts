/**
 * A release family as a placements file writes it (a `families:` entry): the fields of POST
 * /api/v1/releases under their YAML names, and `keep` for the retention. The API names its fields
 * in camelCase; the file writes them in snake_case, as the SCS-0102 properties beside them are.
 */
import type { ReleaseFamilyBody } from '@glint/api/replies';
import { printablePattern, STABLE_NAME_MAX_LENGTH } from '@glint/core';
import { SiteSelectorSchema, siteSelectorProblems } from './site-selector';
import { Type, type Static } from './typebox';
import type { PathProblem } from './yaml-file';

export const familyNameWords =
  'a key of lower-case letters, digits, ".", "_" and "-" (at most 63, starting with a letter or digit), e.g. ubuntu-24.04';
const propertyKeyPattern = /^[a-z][a-z0-9_:]{0,254}$/;
const datePattern = '^\\d{4}-\\d{2}-\\d{2}$';

const Keep = Type.Union(
  [
    Type.Integer({ minimum: 1, maximum: 1000 }),
    Type.Literal('forever'),
    Type.Literal('until'),
    Type.String({ pattern: datePattern }),
  ],
  {
    description:
      'a number N (keep the last N versions), forever, until (each version until its own ' +
      'provided_until) or a date like 2027-06-30 (the family’s provided_until)',
  },
);

const PropertyValue = Type.Union(
  [Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean()],
  {
    description: 'a text of at most 1024 characters (a number or true/false is taken as its text)',
  },
);

export const WrittenFamilySchema = Type.Object(
  {
    family: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', description: familyNameWords }),
    stable_name: Type.String({
      minLength: 1,
      maxLength: STABLE_NAME_MAX_LENGTH,
      pattern: printablePattern,
      description: `the name users and schedulers boot by: 1 to ${STABLE_NAME_MAX_LENGTH} printable characters`,
    }),
    sites: SiteSelectorSchema,
    waves: Type.Optional(
      Type.Array(SiteSelectorSchema, {
        maxItems: 16,
        description: 'site selectors in order; the target sites no wave selects form the last',
      }),
    ),
    keep: Type.Optional(Keep),
    grace_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 * 86400 })),
    soak_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })),
    manual_waves: Type.Optional(Type.Boolean()),
    prestage: Type.Optional(Type.Boolean()),
    failure_threshold: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
    follows: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9-]{0,31}$',
        description: 'a channel: lower-case letters, digits and "-", e.g. latest or stable',
      }),
    ),
    properties: Type.Optional(Type.Record(Type.String(), PropertyValue, { maxProperties: 64 })),
    required_properties: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { maxItems: 32, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
type WrittenFamilyData = Static<typeof WrittenFamilySchema>;

/** The family fields an entry sets: those it leaves out keep their value (a new family's default). */
export type FamilyFields = Partial<Omit<ReleaseFamilyBody, 'name'>>;
/** The fields of a written family: the stable name and the sites always. */
export type WrittenFields = FamilyFields & Pick<ReleaseFamilyBody, 'stableName' | 'sites'>;

/** A family of a file, with the line it starts on. */
export interface WrittenFamily {
  name: string;
  line: number;
  fields: WrittenFields;
  /**
   * `keep: DATE`: the family's provided_until, laid over its properties (those of the file, or
   * the family's own when the file gives none), as `glint release family set --until` does.
   */
  providedUntil?: string;
}

const retention = (keep: WrittenFamilyData['keep']): FamilyFields => {
  if (keep === undefined) return {};
  if (typeof keep === 'number') return { keepMode: 'last', keepLast: keep };
  return { keepMode: keep === 'forever' ? 'forever' : 'until' };
};

/** The API's fields of a written family, and its provided_until from a `keep` date. */
export function writtenFamily(data: WrittenFamilyData, line: number): WrittenFamily {
  const given = <K extends keyof FamilyFields>(key: K, value: FamilyFields[K] | undefined) =>
    value === undefined ? {} : { [key]: value };
  const fields: WrittenFields = {
    stableName: data.stable_name,
    sites: data.sites as ReleaseFamilyBody['sites'],
    ...given('waves', data.waves as ReleaseFamilyBody['waves']),
    ...retention(data.keep),
    ...given('graceSeconds', data.grace_seconds),
    ...given('soakSeconds', data.soak_seconds),
    ...given('manualWaves', data.manual_waves),
    ...given('prestage', data.prestage),
    ...given('failureThreshold', data.failure_threshold),
    ...given('follows', data.follows),
    ...given(
      'properties',
      data.properties &&
        Object.fromEntries(Object.entries(data.properties).map(([k, v]) => [k, String(v)])),
    ),
    ...given('requiredProperties', data.required_properties),
  };
  const date = typeof data.keep === 'string' && /\d/.test(data.keep) ? data.keep : undefined;
  return { name: data.family, line, fields, ...(date && { providedUntil: date }) };
}

/**
 * What the schema cannot say about the family at `path`: selectors that select nothing, bad
 * labels, property keys Glance would refuse, a date that is none, provided_until said twice.
 */
export function familyProblems(
  family: WrittenFamilyData,
  path: (string | number)[],
): PathProblem[] {
  const problems = siteSelectorProblems(family.sites, [...path, 'sites']);
  (family.waves ?? []).forEach((wave, i) =>
    problems.push(...siteSelectorProblems(wave, [...path, 'waves', i])),
  );
  const keys = [
    ...Object.keys(family.properties ?? {}).map((key) => ({ key, at: ['properties', key] })),
    ...(family.required_properties ?? []).map((key, i) => ({
      key,
      at: ['required_properties', i],
    })),
  ];
  for (const { key, at } of keys)
    if (!propertyKeyPattern.test(key))
      problems.push({
        path: [...path, ...at],
        text: `"${key}" is not a property key: lower-case letters, digits, "_" and ":", starting with a letter`,
      });
  const keep = family.keep;
  if (typeof keep === 'string' && /\d/.test(keep)) {
    const written = family.properties?.provided_until;
    if (Number.isNaN(Date.parse(keep)))
      problems.push({
        path: [...path, 'keep'],
        text: `${keep} is not a date: write one like 2027-06-30`,
      });
    else if (written !== undefined && String(written) !== keep)
      problems.push({
        path: [...path, 'keep'],
        text: `keeps until ${keep} but properties.provided_until is ${String(written)}: give the date once`,
      });
  }
  return problems;
}
