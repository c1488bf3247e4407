/**
 * A release family's policy from `glint release family create|set` options: durations, site
 * selectors and retention checked here, so a mistake names the option before anything is sent.
 */
import { labelProblems } from '@glint/core/client';
import { UsageError } from '../../errors';
import { pairsOf } from './properties';

export interface FamilyOptions {
  stableName?: string;
  sites?: string[];
  wave?: string[];
  soak?: string;
  manualWaves?: boolean;
  prestage?: boolean;
  follows?: string;
  keep?: string;
  until?: string;
  forever?: boolean;
  grace?: string;
  property: string[];
  requireProperty: string[];
}

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90`, `90s`, `10m`, `2h`, `7d` as seconds. */
export function secondsOf(text: string, option: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match)
    throw new UsageError(`${option} takes a duration like 90s, 10m, 2h or 7d, not "${text}"`);
  return Number(match[1]) * units[match[2] || 's']!;
}

/** `k=v,k=v` (from one or more repeated options) as a label selector every site must match. */
function selectorOf(pairs: string[], option: string): { labels: Record<string, string> } {
  if (pairs.length === 0) throw new UsageError(`${option} needs at least one label key=value`);
  const labels = pairsOf(pairs, option);
  const problems = labelProblems(labels);
  if (problems.length > 0) throw new UsageError(`${option}: ${problems.join('; ')}`);
  return { labels };
}

/**
 * Retention: --keep N (the last N), --until DATE (each version until its provided_until, DATE
 * being the family's default), or --forever. One of them at most.
 */
function retentionOf(options: FamilyOptions): Record<string, unknown> {
  const given = [options.keep, options.until, options.forever].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError('give one of --keep N, --until DATE and --forever');
  if (options.forever) return { keepMode: 'forever' };
  if (options.keep !== undefined) {
    if (!/^\d+$/.test(options.keep) || Number(options.keep) < 1)
      throw new UsageError(`--keep takes a whole number of versions ≥ 1, not "${options.keep}"`);
    return { keepMode: 'last', keepLast: Number(options.keep) };
  }
  if (options.until !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}/.test(options.until) || Number.isNaN(Date.parse(options.until)))
      throw new UsageError(`--until takes a date like 2027-06-30, not "${options.until}"`);
    return { keepMode: 'until', properties: { provided_until: options.until } };
  }
  return {};
}

/** The policy fields the options give; what they leave out is not in the result. */
export function policyOf(options: FamilyOptions): Record<string, unknown> {
  const retention = retentionOf(options);
  const properties = {
    ...pairsOf(options.property),
    ...(retention.properties as Record<string, string> | undefined),
  };
  return {
    ...retention,
    ...(options.stableName !== undefined && { stableName: options.stableName }),
    ...(options.sites !== undefined && { sites: selectorOf(options.sites, '--sites') }),
    ...(options.wave !== undefined && {
      waves: options.wave.map((wave) => selectorOf(wave.split(','), '--wave')),
    }),
    ...(options.soak !== undefined && { soakSeconds: secondsOf(options.soak, '--soak') }),
    ...(options.grace !== undefined && { graceSeconds: secondsOf(options.grace, '--grace') }),
    ...(options.manualWaves !== undefined && { manualWaves: options.manualWaves }),
    ...(options.prestage !== undefined && { prestage: options.prestage }),
    ...(options.follows !== undefined && { follows: options.follows }),
    ...(Object.keys(properties).length > 0 && { properties }),
    ...(options.requireProperty.length > 0 && { requiredProperties: options.requireProperty }),
  };
}
