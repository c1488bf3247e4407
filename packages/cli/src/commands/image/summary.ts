import type { MatrixColumn, MatrixRow } from '@glint/api/replies';

/** A cell's wanted flag as a table shows it. */
export function wantedText(wanted: boolean | null): string {
  return wanted === null ? '-' : wanted ? 'yes' : 'no';
}

/** An image for scripts: its row, with the names of the sites that hold a copy. */
export function summary(row: MatrixRow, columns: MatrixColumn[]) {
  const on = row.cells
    .map((cell, i) => ({ cell, site: columns[i]! }))
    .filter(({ cell }) => cell.state === 'present' || cell.state === 'unmanaged')
    .map(({ site }) => site.name);
  return {
    id: row.id,
    name: row.name,
    size: row.size,
    diskFormat: row.diskFormat,
    hash: row.hash,
    conflict: row.conflict,
    on,
  };
}
