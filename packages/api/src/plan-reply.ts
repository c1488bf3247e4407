import type { Plan } from '@glint/store';

/** A plan as the API shows it: without the placements it would record, with the bytes to move. */
export function planReply<P extends Plan>({ placements: _placements, ...plan }: P) {
  return { ...plan, bytes: plan.copies.reduce((sum, copy) => sum + (copy.bytes ?? 0), 0) };
}
