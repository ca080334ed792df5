import type { TrainEval } from './train/types';

/** Float fields of an eval: bitwise equal on the plain JS backend, equal to float rounding on wasm. */
const FLOAT_FIELDS = ['trainLoss', 'valLoss', 'perplexity'] as const;

/**
 * Differences between two eval streams, as readable lines (empty when they agree): every field
 * exactly, except losses, which may differ by `relativeTolerance` (wasm's XNNPACK kernels do not
 * promise the same summation order after weights are reloaded; the plain JS backend is exact).
 */
export function evalDifferences(
  actual: readonly TrainEval[],
  expected: readonly TrainEval[],
  relativeTolerance = 0,
): string[] {
  const problems: string[] = [];
  if (actual.length !== expected.length) problems.push(`${actual.length} evals, expected ${expected.length}`);
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i] as TrainEval;
    const e = expected[i] as TrainEval;
    for (const key of Object.keys(e) as (keyof TrainEval)[]) {
      const [x, y] = [a[key], e[key]];
      const isFloat = (FLOAT_FIELDS as readonly string[]).includes(key);
      const close =
        isFloat &&
        typeof x === 'number' &&
        typeof y === 'number' &&
        Math.abs(x - y) <= relativeTolerance * Math.max(1, Math.abs(y));
      if (x !== y && !close)
        problems.push(`eval ${i} (step ${e.step}) ${key}: ${String(x)}, expected ${String(y)}`);
    }
  }
  return problems;
}
