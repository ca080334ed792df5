import { formatPath, type Locate } from './spec-problem.js';

/** Maps offsets in a text to 1-based line and column (columns in UTF-16 code units). */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * A {@link Locate} over a table of formatted path → offset. A path with no entry of its own (a
 * missing key) falls back to its nearest recorded ancestor; the root has no position.
 */
export function locatorFrom(text: string, offsets: ReadonlyMap<string, number>): Locate {
  return (path) => {
    for (let length = path.length; length > 0; length--) {
      const offset = offsets.get(formatPath(path.slice(0, length)));
      if (offset !== undefined) return lineColumnAt(text, offset);
    }
    return undefined;
  };
}
