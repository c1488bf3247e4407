import type { TransferStage } from '@glint/core';
import type { CellFacts } from '@glint/store';

export type CellState =
  | { state: 'present' | 'unmanaged' | 'conflict' | 'missing' | 'queued' | 'deleting' }
  | {
      state: 'transferring';
      bytes: number;
      bytesTotal: number | null;
      bytesPerSecond: number;
      /** While the site works on the copy itself, e.g. "importing" or "copying" at 42%. */
      stage?: TransferStage;
      percent?: number;
    }
  | { state: 'error'; message: string };

/** Site statuses of an image that will not become usable by waiting. */
const brokenStatuses = new Set(['killed', 'deactivated', 'deleted', 'pending_delete']);

/**
 * A cell's state from what is known about it. Work in flight says most about what the user will see
 * next, so an open job wins; then the copy the site holds; then a failed last attempt to put it there.
 */
export function cellState(facts: CellFacts, rowInConflict: boolean): CellState {
  const open = facts.jobState === 'queued' || facts.jobState === 'running';
  if (open && facts.jobOperation === 'delete') return { state: 'deleting' };
  if (facts.jobState === 'running') {
    const bytes = facts.bytesDone ?? 0;
    const seconds = facts.runningSeconds ?? 0;
    return {
      state: 'transferring',
      bytes,
      bytesTotal: facts.bytesTotal,
      bytesPerSecond: seconds > 0 ? Math.round(bytes / seconds) : 0,
      ...(facts.jobStage && { stage: facts.jobStage, percent: facts.jobPercent ?? 0 }),
    };
  }
  if (open) return { state: 'queued' };
  if (facts.status !== null) {
    if (brokenStatuses.has(facts.status))
      return { state: 'error', message: `the site reports the image ${facts.status}` };
    if (facts.status !== 'active')
      return { state: 'transferring', bytes: 0, bytesTotal: null, bytesPerSecond: 0 };
    if (rowInConflict) return { state: 'conflict' };
    return { state: facts.managed ? 'present' : 'unmanaged' };
  }
  if (facts.jobState === 'failed')
    return { state: 'error', message: facts.jobError ?? 'the last job on this cell failed' };
  return { state: 'missing' };
}

/**
 * How the cell differs from the desired state with no job under way to fix it: a wanted copy gone
 * (or never made active), or an unwanted copy there. The reconciler finds the same cells
 * (`placements.drifted`) and heals those its policy allows; test/drift-rule.int.test.ts holds the two
 * to one meaning on every combination of desired state, copies and last job.
 */
export function driftOf(facts: CellFacts): 'missing' | 'unwanted' | undefined {
  if (facts.wanted === null || facts.jobState === 'queued' || facts.jobState === 'running')
    return undefined;
  if (facts.wanted && facts.status !== 'active') return 'missing';
  // A hidden image Glint did not make is kept on purpose: the reconciler prunes no such copy.
  if (!facts.wanted && facts.status !== null && (facts.managed || !facts.hidden)) return 'unwanted';
  return undefined;
}

/** Who decided a cell's desired state, as the matrix shows it. */
export type PlacedBy = { kind: 'rule'; rule: string } | { kind: 'hand'; overrides?: string };

/**
 * Who decided the cell: a rule (which wants it, or, pruning, no longer does), or a hand tick,
 * naming the rule it beats when it says "not here" where a rule wants the image; undefined when
 * nothing says.
 */
export function placedByOf(facts: CellFacts): PlacedBy | undefined {
  if (facts.source === 'rule' && facts.rule !== null) return { kind: 'rule', rule: facts.rule };
  if (facts.source !== 'hand') return undefined;
  return facts.wanted === false && facts.rule !== null
    ? { kind: 'hand', overrides: facts.rule }
    : { kind: 'hand' };
}
