import type { MatrixFamily, MatrixRow } from '@glint/api/replies';
import { FamilyRows } from '../src/matrix/family-rows';

const family = (id: string, at: number, rows: number): MatrixFamily => ({
  id,
  name: id,
  stableName: id,
  target: null,
  halted: null,
  rows,
  at,
  sites: [],
});
const version = (id: string) => ({ id }) as MatrixRow;

/** What each grid row is: a family's name, a version's id, or the paged row's index. */
function layout(families: FamilyRows, rows: number): string[] {
  return Array.from({ length: families.length + rows }, (_, index) => {
    const at = families.locate(index);
    if ('paged' in at) return String(at.paged);
    return at.entry.kind === 'family' ? at.entry.family.id : (at.entry.row?.id ?? '?');
  });
}

test('families go among the paged rows at their places, expanded ones followed by their versions', async () => {
  // Node has no localStorage: every family starts collapsed.
  const families = new FamilyRows(
    async (id) => (id === 'b' ? [version('b2'), version('b1')] : [version('a1')]),
    () => undefined,
  );
  await families.set([family('a', 0, 1), family('b', 2, 2), family('c', 2, 1)]);
  expect(layout(families, 4)).toEqual(['a', '0', '1', 'b', 'c', '2', '3']);

  await families.toggle('b');
  expect(layout(families, 4)).toEqual(['a', '0', '1', 'b', 'b2', 'b1', 'c', '2', '3']);
  // The paged rows a window of grid rows shows: rows 3 to 6 are all families', none paged.
  expect([3, 7].map((index) => families.pagedBefore(index))).toEqual([2, 2]);
  expect([0, 1, 2, 9].map((index) => families.pagedBefore(index))).toEqual([0, 0, 1, 4]);
  expect(families.shows('b1')).toBe(true);
  expect(families.shows('a1')).toBe(false);
});
