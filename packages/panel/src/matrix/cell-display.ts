/**
 * How a cell looks: an icon and a word for its state (so colour is never the only cue), and for a
 * transfer its progress. One table, used by the cells and the legend alike.
 */
import type { CellState, MatrixCell } from '@glint/api/replies';
import { formatBytes, formatDuration } from '@glint/core/client';

export interface StateLook {
  icon: string;
  label: string;
  /** For the legend and screen readers. */
  meaning: string;
}

export const stateLooks: Record<CellState, StateLook> = {
  present: { icon: '●', label: 'present', meaning: 'a copy made or checked by Glint' },
  missing: { icon: '○', label: 'missing', meaning: 'no copy on this site' },
  queued: { icon: '…', label: 'queued', meaning: 'a job waits for a worker' },
  transferring: { icon: '⇣', label: 'copying', meaning: 'a copy is streaming' },
  deleting: { icon: '✕', label: 'deleting', meaning: 'the copy is being deleted' },
  error: { icon: '!', label: 'error', meaning: 'the last job failed; focus for why' },
  conflict: { icon: '≠', label: 'conflict', meaning: 'other content under this name' },
  unmanaged: { icon: '◌', label: 'unmanaged', meaning: 'a copy Glint did not make' },
};

/** Whether the cell holds, or is getting, a copy: what "wanted" means when nobody said. */
export function holdsCopy(cell: MatrixCell): boolean {
  return ['present', 'queued', 'transferring', 'unmanaged', 'conflict'].includes(cell.state);
}

/** The desired state a click starts from: what was said, else what is there. */
export function effectiveWanted(cell: MatrixCell): boolean {
  return cell.wanted ?? holdsCopy(cell);
}

/**
 * Whether a cell shows wanted: as its pending change says, else as it is. A change giving the cell
 * back to the rule it overrides (null) shows it wanted, since a rule only ever wants its cells.
 */
export function shownWanted(cell: MatrixCell, pending: boolean | null | undefined): boolean {
  return pending === undefined ? effectiveWanted(cell) : (pending ?? true);
}

/** The rule a hand decision on the cell overrides, if any: the one it can be given back to. */
export function overriddenRule(cell: MatrixCell): string | undefined {
  return cell.placedBy?.kind === 'hand' ? cell.placedBy.overrides : undefined;
}

/** A transfer's done fraction (0–1): its import's once importing, else its bytes' when its size is known. */
export function progressOf(cell: MatrixCell): number | null {
  if (cell.state !== 'transferring') return null;
  if (cell.stage) return Math.min(1, (cell.percent ?? 0) / 100);
  if (!cell.bytesTotal) return null;
  return Math.min(1, (cell.bytes ?? 0) / cell.bytesTotal);
}

/**
 * "12 MiB of 40 MiB · 5.0 MiB/s · 6 s left" for a transfer, "importing 42%" once the site works on
 * the bytes itself; else the state's meaning or message.
 */
export function cellDetail(cell: MatrixCell): string {
  if (cell.state === 'error') return cell.message ?? stateLooks.error.meaning;
  if (cell.state !== 'transferring') return stateLooks[cell.state].meaning;
  if (cell.stage) return `${cell.stage} ${Math.round(cell.percent ?? 0)}%`;
  const done = formatBytes(cell.bytes ?? 0, 'page');
  const parts = [cell.bytesTotal ? `${done} of ${formatBytes(cell.bytesTotal, 'page')}` : done];
  const rate = cell.bytesPerSecond;
  if (rate) {
    parts.push(`${formatBytes(rate, 'page')}/s`);
    if (cell.bytesTotal)
      parts.push(`${formatDuration((cell.bytesTotal - (cell.bytes ?? 0)) / rate, 'page')} left`);
  }
  return parts.join(' · ');
}

/** Who decided a cell's desired state, when a rule has a part in it: the cell's mark. */
export function placedMark(cell: MatrixCell): 'rule' | 'override' | null {
  const placed = cell.placedBy;
  if (!placed) return null;
  if (placed.kind === 'rule') return 'rule';
  return overriddenRule(cell) ? 'override' : null;
}

/** "by rule base-on-prod", "ticked by hand, overriding rule base-on-prod", or ''. */
export function placedText(cell: MatrixCell): string {
  const placed = cell.placedBy;
  if (!placed) return '';
  if (placed.kind === 'rule') return `by rule ${placed.rule}`;
  return placed.overrides ? `ticked by hand, overriding rule ${placed.overrides}` : '';
}
