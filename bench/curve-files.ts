// Curve files for the benches: the files named on the command line, else every *.jsonl of the
// public dev curves laid out beside the repository (../shared/curves/dev).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Curve, parseCurveFile } from '@curfew/policies';

const DEV_CURVES = path.resolve(import.meta.dirname, '../../shared/curves/dev');

/** Parses the curves a bench runs on; with neither arguments nor dev curves, says how and exits 2. */
export function benchCurves(script: string, args: readonly string[] = process.argv.slice(2)): Curve[] {
  if (args.length === 0 && !existsSync(DEV_CURVES)) {
    console.error(
      `bench: no curves at ${DEV_CURVES}; name curve files: npx tsx bench/${script} FILE.jsonl...`,
    );
    process.exit(2);
  }
  const files =
    args.length > 0
      ? [...args]
      : readdirSync(DEV_CURVES)
          .filter((f) => f.endsWith('.jsonl'))
          .map((f) => path.join(DEV_CURVES, f));
  const seen = new Map<string, string>();
  return files.flatMap((f) => parseCurveFile(readFileSync(f, 'utf8'), f, seen));
}
