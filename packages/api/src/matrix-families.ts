import { siteMatches } from '@glint/core';
import type { FamilySummary } from '@glint/store';
import type { Matrix } from './schemas/matrix';

type Family = Matrix['families'][number];

/**
 * A family row's facts: per column, the version holding the stable name there and how the
 * rollout of the version the name follows stands on that site.
 */
export function familyRow(
  summary: FamilySummary,
  columns: Matrix['columns'],
  rows: number,
): Family {
  const { target } = summary;
  const stableOn = new Map(summary.stable.map((holder) => [holder.siteId, holder]));
  return {
    id: summary.id,
    name: summary.name,
    stableName: summary.stableName,
    target: target && { versionId: target.versionId, version: target.version },
    halted: target?.haltedReason ?? null,
    rows,
    sites: columns.map((column) => {
      const holder = stableOn.get(column.id);
      const stable = holder ? { versionId: holder.versionId, version: holder.version } : null;
      return { siteId: column.id, stable, rollout: rolloutOn(summary, column, stable) };
    }),
  };
}

function rolloutOn(
  summary: FamilySummary,
  column: Matrix['columns'][number],
  stable: { versionId: string } | null,
): Family['sites'][number]['rollout'] {
  const { target } = summary;
  if (target && stable?.versionId === target.versionId) return 'current';
  // A site that left the family's selector may still hold the name: it shows, as outside.
  if (!siteMatches(summary.sites, column)) return 'outside';
  return target?.haltedReason ? 'halted' : 'rolling-out';
}
