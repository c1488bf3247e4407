/**
 * A site selector as a file writes it (a rule's `sites`, a release family's `sites` and `waves`):
 * the API's own (packages/core/src/selectors.ts). Every field given must match, the values of one
 * field are alternatives, and a selector giving no field matches nothing, so it is refused here.
 */
import { labelProblems, selectorIsEmpty } from '@glint/core/client';
import { Type, type Static } from './typebox';
import type { PathProblem } from './yaml-file';

export const Values = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { minItems: 1, description });
export const StringMap = (description: string) =>
  Type.Record(Type.String(), Type.String({ maxLength: 255 }), { description });

export const SiteSelectorSchema = Type.Object(
  {
    labels: Type.Optional(StringMap('labels the site must carry')),
    types: Type.Optional(Values('site types: openstack, ec2')),
    regions: Type.Optional(Values('regions')),
    ids: Type.Optional(Values('site ids')),
  },
  { additionalProperties: false },
);

/** What the schema cannot say about the selector at `path`: it selects nothing, bad labels. */
export function siteSelectorProblems(
  selector: Static<typeof SiteSelectorSchema>,
  path: (string | number)[],
): PathProblem[] {
  const problems: PathProblem[] = [];
  if (selectorIsEmpty(selector))
    problems.push({ path, text: 'selects no site: give labels, types, regions or ids' });
  for (const text of labelProblems(selector.labels ?? {}))
    problems.push({ path: [...path, 'labels'], text });
  return problems;
}
