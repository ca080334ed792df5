import { createLogUpdate } from 'log-update';

/** Lines redrawn in place on a terminal (progress bars, `curfew watch`). */
export interface LiveRegion {
  /** Terminal width in columns: lines are cut to it, so a redraw never wraps. */
  readonly columns: number;
  render(lines: readonly string[]): void;
  /** Leaves the last drawing on screen; later output goes below it. */
  done(): void;
}

/** Cuts a line to `width` columns (our lines are plain ASCII), marking the cut. */
export function fitLine(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * A live region on `stream` (log-update: it erases exactly what it drew, wrapped lines
 * included), or null when the stream is not a terminal or NO_COLOR is set: then print plain
 * lines, one per change, as a log.
 */
export function liveRegion(
  env: { NO_COLOR?: string | undefined },
  stream: NodeJS.WriteStream = process.stdout,
): LiveRegion | null {
  if (!stream.isTTY || env.NO_COLOR) return null;
  const update = createLogUpdate(stream);
  const columns = () => Math.max(20, stream.columns || 80);
  return {
    get columns() {
      return columns();
    },
    // One column to spare: some terminals wrap a line that fills the last column.
    render: (lines) => update(lines.map((line) => fitLine(line, columns() - 1)).join('\n')),
    done: () => update.done(),
  };
}
