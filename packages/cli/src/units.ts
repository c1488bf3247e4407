/** Sizes and rates as people read them: binary units, three significant digits. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toPrecision(3)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface Progress {
  bytes: number;
  /** Unknown for a stream of unknown length. */
  total?: number | null;
  bytesPerSecond?: number;
}

/** `[#########-----------]  45%  12.0 MiB / 26.7 MiB  3.10 MiB/s  ETA 5s`, `width` characters of bar. */
export function renderProgress(progress: Progress, width = 24): string {
  const { bytes, total, bytesPerSecond } = progress;
  const parts: string[] = [];
  if (total) {
    const fraction = Math.min(1, bytes / total);
    const filled = Math.round(fraction * width);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`);
    parts.push(`${String(Math.floor(fraction * 100)).padStart(3)}%`);
    parts.push(`${formatBytes(bytes)} / ${formatBytes(total)}`);
  } else {
    parts.push(formatBytes(bytes));
  }
  if (bytesPerSecond) {
    parts.push(`${formatBytes(bytesPerSecond)}/s`);
    if (total && bytes < total)
      parts.push(`ETA ${formatDuration((total - bytes) / bytesPerSecond)}`);
  }
  return parts.join('  ');
}
