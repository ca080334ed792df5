import type { EvalPoint, Mode } from '../types';

/**
 * What a curve's current state says about its remaining gain, as numbers a model can learn from:
 * progress through the budget, recent gains of the best value over windows of the budget, the
 * eval-to-eval noise, the level reached, the drop from the best, and how long ago the best was.
 * Computed from the evals so far only (causal). Values are oriented so larger is better.
 */
export const STATE_FEATURES = [
  'progress',
  'gain_5pct',
  'gain_10pct',
  'gain_20pct',
  'gain_40pct',
  'noise',
  'best',
  'drop_from_best',
  'since_best',
  'gain_20pct_over_noise',
  'learned',
  'first_eval_progress',
  'log10_lr',
  'log2_batch_size',
] as const;

/** Run features the model reads when a curve has them (from `features` of a curve file or run). */
export interface RunFeatures {
  lr?: number | undefined;
  batchSize?: number | undefined;
}

/** Stands for a missing run feature: below any real value, so trees can split it off. */
const MISSING = -99;

export function runFeaturesOf(features: Readonly<Record<string, unknown>> | undefined): RunFeatures {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  return { lr: num(features?.lr ?? features?.learning_rate), batchSize: num(features?.batch_size) };
}

export const STATE_FEATURE_COUNT = STATE_FEATURES.length;

const WINDOWS = [0.05, 0.1, 0.2, 0.4] as const;
const NOISE_EVALS = 7;
/** Noise assumed before three evals exist. */
const NOISE_PRIOR = 0.05;

/**
 * Writes the features of the state after eval `i` into `out` at `offset`.
 * `values` are oriented (negated for mode min); `bestSoFar[k]` is the running max of values[0..k].
 */
export function writeStateFeatures(
  values: ArrayLike<number>,
  bestSoFar: ArrayLike<number>,
  tokens: ArrayLike<number>,
  budgetTokens: number,
  i: number,
  run: RunFeatures,
  out: Float64Array | number[],
  offset = 0,
): void {
  const progress = (tokens[i] as number) / budgetTokens;
  const best = bestSoFar[i] as number;
  out[offset] = progress;
  for (let w = 0; w < WINDOWS.length; w++) {
    const limit = (progress - (WINDOWS[w] as number)) * budgetTokens;
    // The last eval at or before `limit` (evals are in token order); none → the gain since the first eval (the same for a metric and its negation).
    let j = i;
    while (j >= 0 && (tokens[j] as number) > limit) j--;
    out[offset + 1 + w] = best - (j >= 0 ? (bestSoFar[j] as number) : (values[0] as number));
  }
  const from = Math.max(0, i - (NOISE_EVALS - 1));
  let noise = NOISE_PRIOR;
  if (i - from + 1 > 2) {
    const n = i - from;
    let mean = 0;
    for (let k = from + 1; k <= i; k++) mean += (values[k] as number) - (values[k - 1] as number);
    mean /= n;
    let ss = 0;
    for (let k = from + 1; k <= i; k++) {
      const d = (values[k] as number) - (values[k - 1] as number) - mean;
      ss += d * d;
    }
    noise = Math.sqrt(ss / n);
  }
  out[offset + 5] = noise;
  out[offset + 6] = best;
  out[offset + 7] = best - (values[i] as number);
  let arg = 0;
  for (let k = 1; k <= i; k++) if ((values[k] as number) > (values[arg] as number)) arg = k;
  out[offset + 8] = ((tokens[i] as number) - (tokens[arg] as number)) / budgetTokens;
  out[offset + 9] = (out[offset + 3] as number) / (noise + 1e-3);
  out[offset + 10] = best - (values[0] as number);
  out[offset + 11] = (tokens[0] as number) / budgetTokens;
  out[offset + 12] = run.lr ? Math.log10(run.lr) : MISSING;
  out[offset + 13] = run.batchSize ? Math.log2(run.batchSize) : MISSING;
}

/** Oriented values, running best and tokens of a run's evals. */
export interface OrientedCurve {
  values: Float64Array;
  bestSoFar: Float64Array;
  tokens: Float64Array;
}

export function orient(evals: readonly EvalPoint[], mode: Mode): OrientedCurve {
  const n = evals.length;
  const values = new Float64Array(n);
  const bestSoFar = new Float64Array(n);
  const tokens = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const e = evals[k] as EvalPoint;
    values[k] = mode === 'max' ? e.value : -e.value;
    tokens[k] = e.tokens;
    bestSoFar[k] =
      k === 0 ? (values[k] as number) : Math.max(bestSoFar[k - 1] as number, values[k] as number);
  }
  return { values, bestSoFar, tokens };
}

/** Features of the state after the last of `evals`. */
export function stateFeatures(
  evals: readonly EvalPoint[],
  mode: Mode,
  budgetTokens: number,
  run: RunFeatures = {},
): Float64Array {
  const c = orient(evals, mode);
  const out = new Float64Array(STATE_FEATURE_COUNT);
  writeStateFeatures(c.values, c.bestSoFar, c.tokens, budgetTokens, evals.length - 1, run, out);
  return out;
}
