/**
 * The release families among the matrix's rows: a row per family, each followed, when expanded,
 * by its versions' rows in version order. Families come whole with every page of the matrix (the
 * versions are left out of the paged rows), each with its place in the sort's order (the API's
 * `at`: how many paged rows come before it), so the grid has a known length and every row a known
 * index before any version is read; a family's versions are read when it is expanded. Which
 * families are expanded is kept in localStorage, so it outlives refreshes, filters and reloads.
 */
import type { MatrixFamily, MatrixRow } from '@glint/api/replies';

const storageKey = 'glint.matrix.expanded-families';

/** A family's grid row, or one of its versions' (undefined until read). */
export type FamilyEntry =
  | { kind: 'family'; family: MatrixFamily; expanded: boolean }
  | { kind: 'version'; familyId: string; row: MatrixRow | undefined };

function storedExpanded(): Set<string> {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '[]');
    return new Set(Array.isArray(ids) ? ids.filter((id) => typeof id === 'string') : []);
  } catch {
    // No storage (a sandboxed frame) or garbage in it: everything starts collapsed.
    return new Set();
  }
}

/** A family's grid rows, which go after `at` paged rows. */
interface Block {
  at: number;
  entries: FamilyEntry[];
}

export class FamilyRows {
  /** In the sort's order, as the API gives them. */
  private blocks: Block[] = [];
  private families: MatrixFamily[] = [];
  private readonly expanded = storedExpanded();
  private readonly versions = new Map<string, MatrixRow[]>();

  constructor(
    /** Reads a family's version rows under the matrix's filters; undefined when they changed meanwhile. */
    private readonly read: (familyId: string) => Promise<MatrixRow[] | undefined>,
    private readonly changed: () => void,
  ) {}

  /** The families a reply named; expanded ones not read yet are read. */
  set(families: MatrixFamily[]): Promise<void> {
    if (JSON.stringify(families) === JSON.stringify(this.families)) return Promise.resolve();
    this.families = families;
    this.rebuild();
    return Promise.all(
      families
        .filter((family) => this.expanded.has(family.id) && !this.versions.has(family.id))
        .map((family) => this.load(family.id)),
    ).then(() => undefined);
  }

  /** Forgets the version rows read: the filters changed. */
  clear(): void {
    this.versions.clear();
    this.families = [];
    this.rebuild();
  }

  /** Expands a collapsed family (reading its versions), or collapses an expanded one. */
  async toggle(familyId: string): Promise<void> {
    if (this.expanded.has(familyId)) this.expanded.delete(familyId);
    else this.expanded.add(familyId);
    try {
      localStorage.setItem(storageKey, JSON.stringify([...this.expanded]));
    } catch {
      // Kept for this page only.
    }
    this.rebuild();
    this.changed();
    if (this.expanded.has(familyId)) await this.load(familyId);
  }

  /** Reads again the versions of the expanded families holding any of these rows (all: none given). */
  async reload(imageIds?: string[]): Promise<void> {
    const ids = [...this.versions]
      .filter(([, rows]) => !imageIds || rows.some((row) => imageIds.includes(row.id)))
      .map(([id]) => id)
      .filter((id) => this.expanded.has(id));
    await Promise.all(ids.map((id) => this.load(id)));
  }

  get count(): number {
    return this.families.length;
  }

  /** How many version rows the families have, shown or not. */
  get versionCount(): number {
    return this.families.reduce((sum, family) => sum + family.rows, 0);
  }

  /** How many grid rows the families take: theirs, and their versions' where expanded. */
  get length(): number {
    return this.blocks.reduce((sum, block) => sum + block.entries.length, 0);
  }

  /** Grid row `index`: a family's entry, or the index of the paged row it is among the paged rows. */
  locate(index: number): { entry: FamilyEntry } | { paged: number } {
    let before = 0;
    for (const block of this.blocks) {
      const start = block.at + before;
      if (index < start) break;
      if (index < start + block.entries.length) return { entry: block.entries[index - start]! };
      before += block.entries.length;
    }
    return { paged: index - before };
  }

  /** How many of the grid rows before `index` are paged rows. */
  pagedBefore(index: number): number {
    let before = 0;
    for (const block of this.blocks) {
      const start = block.at + before;
      if (index <= start) break;
      before += Math.min(block.entries.length, index - start);
    }
    return index - before;
  }

  /** Whether a version row shown holds this image. */
  shows(imageId: string): boolean {
    return this.blocks.some((block) =>
      block.entries.some((entry) => entry.kind === 'version' && entry.row?.id === imageId),
    );
  }

  private async load(familyId: string): Promise<void> {
    const rows = await this.read(familyId);
    if (!rows) return;
    this.versions.set(familyId, rows);
    this.rebuild();
    this.changed();
  }

  /** A family's versions take as many rows before they are read as after, so nothing jumps. */
  private rebuild(): void {
    this.blocks = this.families.map((family): Block => {
      const expanded = this.expanded.has(family.id);
      const head: FamilyEntry = { kind: 'family', family, expanded };
      // Grouped replies always place a family; a reply without a place puts it first.
      const at = family.at ?? 0;
      if (!expanded) return { at, entries: [head] };
      const rows =
        this.versions.get(family.id) ?? Array.from({ length: family.rows }, () => undefined);
      const versions = rows.map((row) => ({ kind: 'version' as const, familyId: family.id, row }));
      return { at, entries: [head, ...versions] };
    });
  }
}
