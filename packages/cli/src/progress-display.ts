import { renderProgress, type Progress } from './units';

/** One labelled line of progress. */
export interface ProgressLine {
  key: string;
  label: string;
  state: string;
  progress?: Progress;
}

/**
 * Live progress on stderr. On a terminal the lines are redrawn in place; elsewhere (a log, a
 * test) a line is printed when its state changes or its progress passes another quarter, so the
 * output stays short and readable.
 */
export class ProgressDisplay {
  private drawn = 0;
  private readonly printed = new Map<string, string>();

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
    private readonly live = Boolean(stream.isTTY),
  ) {}

  update(lines: ProgressLine[]): void {
    if (this.live) {
      let out = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
      for (const line of lines) out += `\x1b[2K${format(line)}\n`;
      this.stream.write(out);
      this.drawn = lines.length;
      return;
    }
    for (const line of lines) {
      const { progress } = line;
      const quarter =
        progress?.total && progress.total > 0
          ? Math.floor((4 * Math.min(progress.bytes, progress.total)) / progress.total)
          : -1;
      const mark = `${line.state}:${quarter}`;
      if (this.printed.get(line.key) === mark) continue;
      this.printed.set(line.key, mark);
      this.stream.write(`${format(line)}\n`);
    }
  }
}

function format(line: ProgressLine): string {
  const parts = [line.label, line.state.padEnd(9)];
  if (line.progress && (line.progress.bytes > 0 || line.progress.total)) {
    parts.push(renderProgress(line.progress));
  }
  return parts.join('  ');
}
