/**
 * Bandwidth as operators write it: bytes per second as a whole number, or a number with a unit of
 * bytes (decimal or binary prefixes) or of bits, as links are sold. Units are case-sensitive, so
 * `Mb` (megabits to some, megabytes to others) is refused rather than guessed.
 */
const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  kbit: 1e3 / 8,
  Mbit: 1e6 / 8,
  Gbit: 1e9 / 8,
};

/** What a byte rate looks like, for a setting's schema: `2500000`, `50MiB`, `1.5Gbit`. */
export const BYTE_RATE_PATTERN = `^(\\d+|\\d+(\\.\\d+)?(${Object.keys(UNITS).join('|')}))$`;

/** How a setting's error describes a byte rate. */
export const BYTE_RATE_EXPECTED = `bytes per second: a whole number, or a number with one of the units ${Object.keys(UNITS).join(', ')} (e.g. 50MiB, 800Mbit)`;

/** Bytes per second (rounded to whole, at least 1) of text matching BYTE_RATE_PATTERN. */
export function parseByteRate(text: string): number {
  const match = new RegExp(BYTE_RATE_PATTERN).exec(text);
  if (!match) throw new RangeError(`"${text}" is not ${BYTE_RATE_EXPECTED}`);
  const [, , , unit] = match;
  const number = Number(unit ? text.slice(0, -unit.length) : text);
  const bytes = Math.round(number * (unit ? UNITS[unit]! : 1));
  if (bytes < 1)
    throw new RangeError(
      `"${text}" is less than 1 byte per second; leave the setting unset for no limit`,
    );
  return bytes;
}
