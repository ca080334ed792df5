import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes a file whole and renames it into place, so that a reader (another curfew command) never
 * sees half of it; `mode` 0o600 keeps it to its owner.
 */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const next = `${file}.${process.pid}.tmp`;
  writeFileSync(next, text, { mode });
  renameSync(next, file);
}
