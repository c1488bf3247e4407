import { formatBytes, formatDuration } from '@glint/core/client';

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
    parts.push(`${formatBytes(bytes, 'terminal')} / ${formatBytes(total, 'terminal')}`);
  } else {
    parts.push(formatBytes(bytes, 'terminal'));
  }
  if (bytesPerSecond) {
    parts.push(`${formatBytes(bytesPerSecond, 'terminal')}/s`);
    if (total && bytes < total)
      parts.push(`ETA ${formatDuration((total - bytes) / bytesPerSecond, 'terminal')}`);
  }
  return parts.join('  ');
}
