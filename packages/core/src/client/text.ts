/**
 * Sizes and durations as people read them, in the house style of each of Glint's clients:
 * `terminal` (the CLI) keeps three significant digits so sizes line up in columns, and writes
 * durations without spaces (1m05s); `page` (the panel) writes 1.5 MiB and 1 min 5 s.
 */
export type TextStyle = 'terminal' | 'page';

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Binary units; an unknown size is a dash. */
export function formatBytes(bytes: number | null | undefined, style: TextStyle): string {
  if (bytes === null || bytes === undefined) return '-';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  const digits = style === 'terminal' ? value.toPrecision(3) : value.toFixed(value < 10 ? 1 : 0);
  return `${digits} ${byteUnits[unit]}`;
}

const durationUnits = {
  terminal: { h: 'h', m: 'm', s: 's', gap: '' },
  page: { h: ' h', m: ' min', s: ' s', gap: ' ' },
};

/** Whole seconds, then minutes and seconds, then hours and minutes. */
export function formatDuration(seconds: number, style: TextStyle): string {
  const s = Math.max(0, Math.round(seconds));
  const units = durationUnits[style];
  if (s < 60) return `${s}${units.s}`;
  const [major, majorUnit, minor, minorUnit] =
    s < 3600
      ? [Math.floor(s / 60), units.m, s % 60, units.s]
      : [Math.floor(s / 3600), units.h, Math.floor((s % 3600) / 60), units.m];
  const minorText = style === 'terminal' ? String(minor).padStart(2, '0') : String(minor);
  return `${major}${majorUnit}${units.gap}${minorText}${minorUnit}`;
}
