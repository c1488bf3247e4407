import type { VersionRecord } from './repositories';
import type { RolloutStep } from './rollout-steps';

/** What a step records on its version, beside whatever it does on sites. */
export type VersionRecordChanges = Partial<
  Pick<VersionRecord, 'wave' | 'waveDoneAt' | 'haltedReason' | 'retiredAt'>
>;

/**
 * The version's record as the step leaves it: the daemon writes it, and a preview applies it in
 * memory to see the steps that follow (a done wave lets the next one start).
 */
export function recordedBy(step: RolloutStep, now: Date): VersionRecordChanges | null {
  switch (step.kind) {
    case 'halt':
      return { haltedReason: step.reason };
    case 'wave-done':
      return { waveDoneAt: now.toISOString() };
    case 'next-wave':
      return { wave: step.wave, waveDoneAt: null };
    case 'retire':
      return { retiredAt: now.toISOString() };
    default:
      return null;
  }
}
