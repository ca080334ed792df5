/**
 * The shape of a run's curve so far, as the meta-learner compares it with history: scale-free
 * numbers (any metric, either mode) taken at fixed checkpoints of the budget. The SQL function
 * curfew_predict_stop computes the same from the evals it is given; keep them in step.
 */

/** Fractions of the budget at which history's curves are summarised; 0 is "before the run starts". */
export const CHECKPOINTS = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9] as const;

/** Comparisons of fractions allow for the rounding of scaled tokens. */
export const FRACTION_EPSILON = 1e-9;

export interface ShapeEval {
  tokens: number;
  value: number;
}

export interface CurveShape {
  /** Tokens of the first best eval so far, over the budget. */
  bestFraction: number;
  /** Where the best eval sits in the part seen: bestFraction / checkpoint, in [0, 1]. */
  bestRel: number;
  /** The last eval's place between the worst (0) and the best (1) value seen. */
  lastRel: number;
  /** Mean of the later half of the evals minus the earlier half, over the range seen, in [−1, 1]. */
  trend: number;
}

/** The shape features that get a learned weight, in the order of the state's `shapeWeights`. */
export const SHAPE_KEYS = ['bestRel', 'lastRel', 'trend'] as const;
export type ShapeKey = (typeof SHAPE_KEYS)[number];

/**
 * The shape of the evals at or before `checkpoint` × budget (evals in training order, values
 * in the metric's own units; `mode` min means lower is better). Null before the first eval.
 */
export function shapeAt(
  evals: readonly ShapeEval[],
  budgetTokens: number,
  mode: 'max' | 'min',
  checkpoint: number,
): CurveShape | null {
  if (!(budgetTokens > 0) || checkpoint <= 0) return null;
  const sign = mode === 'min' ? -1 : 1;
  const seen = evals
    .map((e, ord) => ({ f: e.tokens / budgetTokens, v: sign * e.value, ord }))
    .filter((e) => Number.isFinite(e.f) && Number.isFinite(e.v) && e.f <= checkpoint + FRACTION_EPSILON)
    .sort((a, b) => a.f - b.f || a.ord - b.ord);
  const first = seen[0];
  if (!first) return null;
  let best = first;
  let hi = first.v;
  let lo = first.v;
  for (const e of seen) {
    if (e.v > best.v) best = e;
    hi = Math.max(hi, e.v);
    lo = Math.min(lo, e.v);
  }
  const last = seen.at(-1) ?? first;
  const half = Math.floor(seen.length / 2);
  const mean = (xs: readonly { v: number }[]) => xs.reduce((s, e) => s + e.v, 0) / xs.length;
  const range = hi - lo;
  return {
    bestFraction: best.f,
    bestRel: Math.min(1, Math.max(0, best.f / checkpoint)),
    lastRel: range > 0 ? (last.v - lo) / range : 1,
    trend: range > 0 && half > 0 ? (mean(seen.slice(-half)) - mean(seen.slice(0, half))) / range : 0,
  };
}

/** The latest checkpoint a run has reached with at least one eval at or before it (0 if none). */
export function checkpointOf(
  evals: readonly ShapeEval[],
  budgetTokens: number,
  checkpoints: readonly number[] = CHECKPOINTS,
): number {
  if (!(budgetTokens > 0) || evals.length === 0) return 0;
  const fractions = evals.map((e) => e.tokens / budgetTokens).filter(Number.isFinite);
  if (fractions.length === 0) return 0;
  const reached = Math.max(...fractions);
  const firstEval = Math.min(...fractions);
  let at = 0;
  for (const c of checkpoints) {
    if (c <= reached + FRACTION_EPSILON && firstEval <= c + FRACTION_EPSILON) at = Math.max(at, c);
  }
  return at;
}
