/**
 * What a placements file's `families:` section changes: each family it writes is created, changed
 * in the fields that differ, or left unchanged. Families the file leaves out stay as they are, as
 * rules do (`glint release family delete` forgets one). Changes are told in the file's terms: its
 * keys, and `keep` for the API's keepMode and keepLast.
 */
import type { ReleaseFamily, ReleaseFamilyBody } from '@glint/api/replies';
import type { FamilyFields, WrittenFamily, WrittenFields } from './family-definition';

/** A key of the file: what the family holds, and what the file says. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

export type FamilyChange =
  | { name: string; action: 'create'; body: ReleaseFamilyBody }
  | { name: string; action: 'update'; changes: Record<string, FieldChange>; body: FamilyFields }
  | { name: string; action: 'unchanged' }
  /** In the project, not in the file: left as it is. */
  | { name: string; action: 'left' };

/** The file's keys in its order, each with the API fields it stands for. */
const fileKeys: [string, (keyof FamilyFields)[]][] = [
  ['stable_name', ['stableName']],
  ['sites', ['sites']],
  ['waves', ['waves']],
  ['keep', ['keepMode', 'keepLast']],
  ['grace_seconds', ['graceSeconds']],
  ['soak_seconds', ['soakSeconds']],
  ['manual_waves', ['manualWaves']],
  ['prestage', ['prestage']],
  ['failure_threshold', ['failureThreshold']],
  ['follows', ['follows']],
  ['properties', ['properties']],
  ['required_properties', ['requiredProperties']],
];

/** A family's fields under the file's keys; `keep` is N (the last N), forever or until. */
export function fileView(fields: FamilyFields): [string, unknown][] {
  const valueOf = (key: string, api: (keyof FamilyFields)[]) =>
    key === 'keep'
      ? fields.keepMode === 'last'
        ? fields.keepLast
        : fields.keepMode
      : fields[api[0]!];
  return fileKeys
    .map(([key, api]): [string, unknown] => [key, valueOf(key, api)])
    .filter(([, value]) => value !== undefined);
}

/** JSON with its objects' keys sorted: PostgreSQL's jsonb does not keep the order they came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** The fields the file sets, its `keep` date laid over the properties it leaves in force. */
function desiredFields(written: WrittenFamily, current?: ReleaseFamily): WrittenFields {
  if (!written.providedUntil) return written.fields;
  const properties = written.fields.properties ?? current?.properties ?? {};
  return {
    ...written.fields,
    properties: { ...properties, provided_until: written.providedUntil },
  };
}

/** An existing family against the file: the keys that differ, and PATCH's body for them. */
function update(name: string, fields: WrittenFields, found: ReleaseFamily): FamilyChange {
  const now = new Map(fileView(found as FamilyFields));
  const differing = fileView(fields).filter(
    ([key, to]) => canonical(now.get(key)) !== canonical(to),
  );
  if (differing.length === 0) return { name, action: 'unchanged' };
  const apiFields = (key: string) => fileKeys.find(([k]) => k === key)![1];
  const body = Object.fromEntries(
    differing
      .flatMap(([key]) => apiFields(key))
      .filter((field) => fields[field] !== undefined)
      .map((field) => [field, fields[field]]),
  ) as FamilyFields;
  const changes = Object.fromEntries(
    differing.map(([key, to]) => [key, { from: now.get(key), to }]),
  );
  return { name, action: 'update', changes, body };
}

/** Each written family's change against the project's families, in the file's order. */
export function planFamilies(written: WrittenFamily[], current: ReleaseFamily[]): FamilyChange[] {
  const byName = new Map(current.map((family) => [family.name, family]));
  const inFile = new Set(written.map((family) => family.name));
  return [
    ...written.map((family): FamilyChange => {
      const found = byName.get(family.name);
      const fields = desiredFields(family, found);
      return found
        ? update(family.name, fields, found)
        : { name: family.name, action: 'create', body: { name: family.name, ...fields } };
    }),
    ...current
      .filter((family) => !inFile.has(family.name))
      .map((family): FamilyChange => ({ name: family.name, action: 'left' })),
  ];
}
