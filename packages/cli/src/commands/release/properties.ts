import { UsageError } from '../../errors';

/** `KEY=VALUE` pairs as a record; a pair without `=` is a usage error naming the option. */
export function pairsOf(pairs: string[], option = '--property'): Record<string, string> {
  const record: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`${option} takes KEY=VALUE, not "${pair}"`);
    record[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return record;
}
