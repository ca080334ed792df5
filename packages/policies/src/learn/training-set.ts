import type { Curve } from '../replay/curve';
import type { Matrix } from './gbm';
import { orient, runFeaturesOf, STATE_FEATURE_COUNT, writeStateFeatures } from './state-features';

/** States of history runs as rows: features, the gain still to come, and where each came from. */
export interface TrainingSet {
  x: Matrix;
  /** Remaining gain: best value over the whole run − best so far (oriented, ≥ 0). */
  remaining: Float64Array;
  /** Index into `curves` of the run each row belongs to. */
  run: Int32Array;
  /** Index of the eval within its run. */
  evalIndex: Int32Array;
}

/**
 * Every state of every run. `sampled` marks every `stride`-th eval of each run (the last always
 * included) so that no run offers more than `maxStatesPerRun` rows to fitting; calibration and
 * prediction use all rows.
 */
export function buildTrainingSet(
  curves: readonly Curve[],
  maxStatesPerRun = 16,
): TrainingSet & { sampled: Uint8Array } {
  let rows = 0;
  for (const c of curves) rows += c.evals.length;
  const cols = STATE_FEATURE_COUNT;
  const data = new Float64Array(rows * cols);
  const remaining = new Float64Array(rows);
  const run = new Int32Array(rows);
  const evalIndex = new Int32Array(rows);
  const sampled = new Uint8Array(rows);
  let r = 0;
  curves.forEach((c, k) => {
    const o = orient(c.evals, c.mode);
    const n = c.evals.length;
    const finalBest = o.bestSoFar[n - 1] as number;
    const runFeatures = runFeaturesOf(c.features);
    const stride = Math.max(1, Math.ceil(n / maxStatesPerRun));
    for (let i = 0; i < n; i++) {
      sampled[r] = (n - 1 - i) % stride === 0 ? 1 : 0;
      writeStateFeatures(o.values, o.bestSoFar, o.tokens, c.budgetTokens, i, runFeatures, data, r * cols);
      remaining[r] = finalBest - (o.bestSoFar[i] as number);
      run[r] = k;
      evalIndex[r] = i;
      r++;
    }
  });
  return { x: { rows, cols, data }, remaining, run, evalIndex, sampled };
}
