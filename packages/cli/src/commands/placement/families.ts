/** The `families:` section of `glint plan|apply -f`: planned against the project's, then made. */
import type { ReleaseFamilies, ReleaseFamily } from '@glint/api/replies';
import type { ApiClient } from '../../api-client';
import type { WrittenFamily } from '../../family-definition';
import { planFamilies, type FamilyChange } from '../../family-plan';
import { renderFamilyChanges } from '../../family-plan-view';
import type { SectionOutcome } from './applying';

/** What the file's families change (none for a file without families: nothing is read). */
export async function planFileFamilies(
  client: ApiClient,
  families: WrittenFamily[],
): Promise<FamilyChange[]> {
  if (families.length === 0) return [];
  const { families: current } = await client.get<ReleaseFamilies>('/releases');
  return planFamilies(families, current);
}

/** The plan as the output's `families` key and text. */
export function familiesPlanned(changes: FamilyChange[]): SectionOutcome {
  if (changes.length === 0) return { json: {}, text: '' };
  return { json: { families: changes }, text: renderFamilyChanges(changes, false) };
}

/**
 * Creates (POST /releases) and changes (PATCH /releases/{family}) the families, in the file's
 * order; each applied change carries the family as the API replied.
 */
export async function applyFamilies(
  client: ApiClient,
  changes: FamilyChange[],
): Promise<SectionOutcome> {
  if (changes.length === 0) return { json: {}, text: '' };
  const applied: (FamilyChange & { family?: ReleaseFamily })[] = [];
  for (const change of changes) {
    if (change.action === 'create')
      applied.push({
        ...change,
        family: await client.request<ReleaseFamily>('POST', '/releases', { json: change.body }),
      });
    else if (change.action === 'update')
      applied.push({
        ...change,
        family: await client.request<ReleaseFamily>(
          'PATCH',
          `/releases/${encodeURIComponent(change.name)}`,
          { json: change.body },
        ),
      });
    else applied.push(change);
  }
  return { json: { families: applied }, text: renderFamilyChanges(changes, true) };
}
