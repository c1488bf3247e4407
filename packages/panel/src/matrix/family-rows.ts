/**
 * The release families at the head of the matrix: a row per family, each followed, when expanded,
 * by its versions' rows. Families come whole with every page of the matrix (the versions are left
 * out of the paged rows), so the head has a known length before any version is read; a family's
 * versions are read when it is expanded. Which families are expanded is kept in localStorage, so it
 * outlives refreshes, filters and reloads of the page.
 */
import type { MatrixFamily, MatrixRow } from '@glint/api/replies';

const storageKey = 'glint.matrix.expanded-families';

/** One row of the head: a family, or one of its versions (undefined until read). */
export type HeadEntry =
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

export class FamilyRows {
  entries: HeadEntry[] = [];
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

  /** Whether a version row shown holds this image. */
  shows(imageId: string): boolean {
    return this.entries.some((entry) => entry.kind === 'version' && entry.row?.id === imageId);
  }

  /** The version rows shown. */
  shownRows(): MatrixRow[] {
    return this.entries.flatMap((entry) =>
      entry.kind === 'version' && entry.row ? [entry.row] : [],
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
    this.entries = this.families.flatMap((family): HeadEntry[] => {
      const expanded = this.expanded.has(family.id);
      const head: HeadEntry = { kind: 'family', family, expanded };
      if (!expanded) return [head];
      const rows =
        this.versions.get(family.id) ?? Array.from({ length: family.rows }, () => undefined);
      return [head, ...rows.map((row) => ({ kind: 'version' as const, familyId: family.id, row }))];
    });
  }
}
