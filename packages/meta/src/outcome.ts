// The outcome model: how well a run will do among its task's runs, before it starts. What
// transfers between tasks is not the value a run reaches (EM of one task is not EM of another)
// but its place among its task's runs (its peak's rank: 1 the best, 0 the worst), which the
// run's place in its own sweep (`lr_rank`…) and its config tell. A kernel over history, with
// weights of its own, searched to predict that rank leave-one-task-out.
import type { RunFeatures } from './features.js';
import { distance2 } from './kernel.js';
import {
  type CategoryFeature,
  type EncodedFeatures,
  encodeFeatures,
  type NumericFeature,
} from './model-state.js';

/** What a version knows about outcomes (`meta_models.state.outcome`), read by curfew_predict_outcome. */
export interface OutcomeState {
  numeric: NumericFeature[];
  categories: CategoryFeature[];
  /** Leave-one-task-out mean absolute error of the predicted rank (tasks weigh the same)… */
  lotoError: number;
  /** …and of predicting 0.5 for every run. */
  baselineError: number;
  /** Mean over tasks of Spearman's rho between predicted and actual ranks, leave-one-task-out. */
  lotoSpearman: number;
}

/** Beyond this excess squared distance a past run weighs 0 (as the SQL function does). */
const MAX_EXCESS = 700;

/**
 * Each run's peak value's place among its task's runs: the mid-rank quantile in [0, 1], 1 the
 * best (highest for mode max, lowest for min); 0.5 for a task's only run.
 */
export function peakRanks(
  runs: readonly { task: string; peakValue: number; mode?: 'max' | 'min' }[],
): number[] {
  const byTask = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const list = byTask.get(r.task);
    if (list) list.push(i);
    else byTask.set(r.task, [i]);
  });
  const out = new Array<number>(runs.length).fill(0.5);
  for (const indices of byTask.values()) {
    if (indices.length < 2) continue;
    const score = (i: number) => {
      const r = runs[i] as (typeof runs)[number];
      return r.mode === 'min' ? -r.peakValue : r.peakValue;
    };
    const sorted = [...indices].sort((a, b) => score(a) - score(b));
    for (let k = 0; k < sorted.length; ) {
      let j = k;
      while (j + 1 < sorted.length && score(sorted[j + 1] as number) === score(sorted[k] as number)) j++;
      for (let m = k; m <= j; m++) out[sorted[m] as number] = (k + j) / 2 / (sorted.length - 1);
      k = j + 1;
    }
  }
  return out;
}

/** Squared distance under the outcome's weights (the SQL function computes the same sum). */
export function outcomeDistance2(
  state: Pick<OutcomeState, 'numeric' | 'categories'>,
  missingPenalty: number,
  a: EncodedFeatures,
  b: EncodedFeatures,
): number {
  return distance2({ numeric: state.numeric, categories: state.categories, missingPenalty }, a, b);
}

/** A run's features encoded for the outcome's weights (as for the peak model's). */
export const encodeOutcome: (
  state: Pick<OutcomeState, 'numeric' | 'categories'>,
  features: RunFeatures,
) => EncodedFeatures = encodeFeatures;

/** Kernel-weighted mean of `values` for distances `d` (the nearest weighs 1; past MAX_EXCESS, 0). */
export function kernelMean(
  d: ArrayLike<number>,
  values: ArrayLike<number>,
  skip?: (b: number) => boolean,
): number {
  let min = Number.POSITIVE_INFINITY;
  for (let b = 0; b < d.length; b++) if (!skip?.(b)) min = Math.min(min, d[b] as number);
  let w = 0;
  let s = 0;
  for (let b = 0; b < d.length; b++) {
    if (skip?.(b)) continue;
    const excess = (d[b] as number) - min;
    if (excess > MAX_EXCESS) continue;
    const x = Math.exp(-excess);
    w += x;
    s += x * (values[b] as number);
  }
  return w > 0 ? s / w : 0.5;
}

/**
 * The predicted rank (0…1, 1 the best) of a new run among its task's runs, from history's ranks
 * (the TypeScript mirror of curfew_predict_outcome). 0.5 with no history.
 */
export function predictOutcome(
  state: OutcomeState,
  missingPenalty: number,
  history: readonly { encoded: EncodedFeatures; peakRank: number }[],
  features: RunFeatures,
): number {
  if (history.length === 0) return 0.5;
  const q = encodeOutcome(state, features);
  const d = history.map((h) => outcomeDistance2(state, missingPenalty, h.encoded, q));
  return kernelMean(
    d,
    history.map((h) => h.peakRank),
  );
}
