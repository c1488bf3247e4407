/**
 * A release family's row in the matrix: its name (a button that expands it to its versions' rows)
 * and a summary cell per site saying which version holds the stable name there and how the rollout
 * of the version the name follows stands. Its versions' rows are image rows, drawn as any other.
 */
import { select } from 'd3';
import type { MatrixFamily, MatrixRow } from '@glint/api/replies';
import type { FamilyEntry } from './family-rows';
import type { Range } from './virtual-window';

/** What of draw-rows' state the summary cells need (draw-rows passes its own). */
interface FamilyDrawState {
  columns: { name: string }[];
  columnRange: Range;
  focus: { row: number; col: number };
  groupStarts: Set<number>;
}

type Rollout = MatrixFamily['sites'][number]['rollout'];

const rolloutText: Record<Rollout, string> = {
  current: 'up to date',
  'rolling-out': 'rolling out',
  halted: 'halted',
  outside: 'not a target',
};

/** What the row's name button says, shows and announces. */
export interface RowLabel {
  text: string;
  title: string | null;
  aria: string;
  expanded?: string;
}

export function familyLabel(entry: Extract<FamilyEntry, { kind: 'family' }>): RowLabel {
  const { family, expanded } = entry;
  const versions = `${family.rows} version${family.rows === 1 ? '' : 's'}`;
  return {
    text: `${expanded ? '▾' : '▸'} ${family.name}`,
    // Its versions are placed by the release, not by a site's column selection (matrix-data's allRows).
    title: `Release family ${family.name}: "${family.stableName}"${family.target ? `, following ${family.target.version}` : ''}. Its release places its versions: selecting a whole site leaves them out`,
    aria: `Release family ${family.name}, stable name ${family.stableName}: ${expanded ? 'collapse' : 'expand'} its ${versions}`,
    expanded: String(expanded),
  };
}

export function rowLabel(row: MatrixRow | undefined): RowLabel {
  if (!row) return { text: 'loading…', title: null, aria: 'loading' };
  const version = row.release ? `${row.release.version} · ` : '';
  return {
    text: `${version}${row.name}`,
    title: row.release
      ? `${row.name}: version ${row.release.version} of ${row.release.family}`
      : row.name,
    aria: `${version}${row.name}: select or clear on every site`,
  };
}

interface FamilyCell {
  col: number;
  site: MatrixFamily['sites'][number];
  siteName: string;
}

/** The summary cells in view: the version holding the stable name, marked by the rollout's state. */
export function drawFamilyCells(
  row: HTMLDivElement,
  family: MatrixFamily,
  index: number,
  state: FamilyDrawState,
  /** Where column `col`'s cell starts, in pixels. */
  cellLeft: (col: number) => number,
): void {
  const cells: FamilyCell[] = [];
  for (let col = state.columnRange.first; col < state.columnRange.end; col++) {
    const site = family.sites[col];
    if (site) cells.push({ col, site, siteName: state.columns[col]?.name ?? site.siteId });
  }
  select(row)
    .selectAll<HTMLDivElement, FamilyCell>('div.cell')
    .data(cells, (d) => d.site.siteId)
    .join((enter) => enter.append('div').attr('class', 'cell family-cell').attr('role', 'gridcell'))
    .attr('data-rollout', (d) => d.site.rollout)
    .attr('data-row', index)
    .attr('data-col', (d) => d.col)
    .attr('aria-colindex', (d) => d.col + 3)
    .attr('tabindex', (d) => (index === state.focus.row && d.col === state.focus.col ? 0 : -1))
    .classed('group-start', (d) => state.groupStarts.has(d.col))
    .style('left', (d) => `${cellLeft(d.col)}px`)
    .attr('title', (d) => {
      const holder = d.site.stable
        ? `"${family.stableName}" is version ${d.site.stable.version}`
        : `no version holds "${family.stableName}"`;
      const halted = d.site.rollout === 'halted' && family.halted ? `: ${family.halted}` : '';
      return `${d.siteName}: ${holder}; ${rolloutText[d.site.rollout]}${halted}`;
    })
    .text((d) => `${d.site.stable?.version ?? '—'} · ${rolloutText[d.site.rollout]}`);
}
