import type { Plan } from '@glint/store';

/** A plan as the API shows it: without the placements it would record, with the bytes to move. */
export function planReply<P extends Plan>({
  placements: _placements,
  givenBack,
  ...plan
}: P & { givenBack: unknown[] }) {
  return {
    ...plan,
    givenBack: givenBack.length,
    bytes: plan.copies.reduce((sum, copy) => sum + (copy.bytes ?? 0), 0),
  };
}
