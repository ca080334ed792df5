import { readFile } from 'node:fs/promises';
import { type Curve, parseCurveFile } from '@curfew/policies';
import { CliError } from '../errors';

/**
 * Reads curve files (JSON Lines); a missing file, a malformed line or a file without a single run
 * (empty, or only blank lines) is one clear error.
 */
export async function loadCurveFiles(files: readonly string[], flag: string): Promise<Curve[]> {
  const curves: Curve[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
      throw new CliError(`curfew replay: ${flag} ${file}: ${why}`);
    }
    try {
      const runs = parseCurveFile(text, file, seen);
      if (runs.length === 0) {
        throw new CliError(
          `curfew replay: ${flag} ${file}: no runs in the file (it is empty); a curve file holds one run per line (README, "Curve files")`,
        );
      }
      curves.push(...runs);
    } catch (err) {
      if ((err as Error).name === 'CurveFileError')
        throw new CliError(`curfew replay: ${(err as Error).message}`);
      throw err;
    }
  }
  return curves;
}
