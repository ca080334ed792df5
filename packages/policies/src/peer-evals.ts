// Lookups on the evals of peers (oldest first, tokens increasing), shared by the cross-run policies.
import type { EvalPoint } from './types';

/** Index of the first eval whose tokens satisfy `reached` (false, then true, along the evals), or evals.length. */
function firstReaching(evals: readonly EvalPoint[], reached: (tokens: number) => boolean): number {
  let lo = 0;
  let hi = evals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (reached((evals[mid] as EvalPoint).tokens)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Index of the first eval with `tokens >= minTokens`, or -1. */
export function firstEvalAtOrAfter(evals: readonly EvalPoint[], minTokens: number): number {
  const i = firstReaching(evals, (tokens) => tokens >= minTokens);
  return i < evals.length ? i : -1;
}

/** How many evals have `tokens <= maxTokens`. */
export function evalsUpTo(evals: readonly EvalPoint[], maxTokens: number): number {
  return firstReaching(evals, (tokens) => tokens > maxTokens);
}

/**
 * Running best of `evals` oriented by `sign` (1: larger is better, -1: smaller), NaN skipped:
 * element i is the best of evals 0..i. Cached by the evals array and extended as it grows (a
 * replay appends to the same array); recomputed when the array is shorter than what was seen or
 * its last seen eval is another object (it was rewritten).
 */
export function runningBest(evals: readonly EvalPoint[], sign: 1 | -1): readonly number[] {
  let cached = runningBests.get(evals);
  const n = cached?.best.length ?? 0;
  if (!cached || cached.sign !== sign || n > evals.length || (n > 0 && evals[n - 1] !== cached.last)) {
    cached = { sign, best: [], last: undefined };
    runningBests.set(evals, cached);
  }
  const best = cached.best;
  for (let i = best.length; i < evals.length; i++) {
    const v = sign * (evals[i]?.value ?? Number.NaN);
    const before = i > 0 ? (best[i - 1] as number) : Number.NEGATIVE_INFINITY;
    best.push(Number.isNaN(v) ? before : Math.max(before, v));
  }
  cached.last = evals[evals.length - 1];
  return best;
}

const runningBests = new WeakMap<
  readonly EvalPoint[],
  { sign: 1 | -1; best: number[]; last: EvalPoint | undefined }
>();
