import {
  type CheckpointState,
  checkpointAnswers,
  type EncodedFeatures,
  type MetaModelState,
} from './model-state.js';
import { type CurveShape, FRACTION_EPSILON, SHAPE_KEYS } from './shape.js';

/** One finished past run, as the meta-learner sees it. */
export interface HistoryRun {
  runId: string;
  /** Leave-one-task-out groups runs by this. */
  task: string;
  /** Tokens of the best eval as a fraction of the budget, in [0, 1]. */
  peakFraction: number;
  /** Best eval's value (deployed EM). */
  peakValue: number;
  /** Last eval's value (full budget). */
  finalValue: number;
}

export interface KernelPrediction {
  peakFraction: number;
  low: number;
  high: number;
  peakValue: number;
  finalValue: number;
  /** The heaviest past runs, with weights normalised to sum to 1 over all history. */
  sources: { runId: string; weight: number; peakFraction: number }[];
}

/** Peak fractions are binned to 1/BINS of the budget. */
export const BINS = 100;
/** How many past runs a prediction names as its sources. */
export const SOURCES = 5;

export const binOf = (fraction: number): number => Math.round(Math.min(1, Math.max(0, fraction)) * BINS);

/**
 * Squared distance between two encoded runs. The SQL function computes the same sum; keep them
 * in step.
 */
export function distance2(
  state: Pick<MetaModelState, 'numeric' | 'categories' | 'missingPenalty'>,
  a: EncodedFeatures,
  b: EncodedFeatures,
): number {
  let d = 0;
  state.numeric.forEach((f, k) => {
    const x = a.num[k] ?? null;
    const y = b.num[k] ?? null;
    if (x === null && y === null) return;
    d += f.weight * (x === null || y === null ? state.missingPenalty : (x - y) * (x - y));
  });
  state.categories.forEach((f, k) => {
    if ((a.cat[k] ?? null) !== (b.cat[k] ?? null)) d += f.weight;
  });
  return d;
}

/**
 * The narrowest run of bins holding at least `mass` of the histogram's weight (ties: the lower
 * start), as bin indices [first, last].
 */
export function densestBins(histogram: ArrayLike<number>, mass: number): [number, number] {
  const n = histogram.length;
  const prefix = new Float64Array(n + 1);
  for (let b = 0; b < n; b++) prefix[b + 1] = (prefix[b] as number) + (histogram[b] as number);
  const need = mass * (prefix[n] as number);
  let best: [number, number] = [0, n - 1];
  let bestWidth = Number.POSITIVE_INFINITY;
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (j < i) j = i;
    // The first j with mass(i..j) ≥ need; it never moves back as i grows.
    while (j < n && (prefix[j + 1] as number) - (prefix[i] as number) < need) j++;
    if (j >= n) break;
    if (j - i < bestWidth) {
      bestWidth = j - i;
      best = [i, j];
    }
  }
  return best;
}

/** Bin indices → the fractions they cover: the interval includes every peak binned inside it. */
export function binsToInterval([first, last]: [number, number]): [number, number] {
  return [Math.max(0, (first - 0.5) / BINS), Math.min(1, (last + 0.5) / BINS)];
}

/** Beyond this excess squared distance a past run weighs 0 (as in SQL, where exp would underflow). */
export const MAX_EXCESS = 700;

/** Kernel weights exp(−(d² − min d²)): the nearest run weighs 1. */
export function kernelWeights(distances: ArrayLike<number>): Float64Array {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < distances.length; i++) min = Math.min(min, distances[i] as number);
  const w = new Float64Array(distances.length);
  for (let i = 0; i < distances.length; i++) {
    const excess = (distances[i] as number) - min;
    w[i] = excess > MAX_EXCESS ? 0 : Math.exp(-excess);
  }
  return w;
}

/**
 * The peak a past run stands for, seen from a run at `checkpoint` whose best so far is at
 * `bestFraction`: a past run that had peaked by then says "this run has peaked too", i.e. at its
 * own best so far.
 */
export function effectivePeak(peakFraction: number, checkpoint: number, bestFraction: number | null): number {
  return checkpoint > 0 && bestFraction !== null && peakFraction <= checkpoint + FRACTION_EPSILON
    ? bestFraction
    : peakFraction;
}

/** Squared distance of two curve shapes under the checkpoint's weights (missing: the penalty per weight). */
export function shapeDistance2(
  weights: readonly number[],
  missingPenalty: number,
  a: CurveShape | null,
  b: CurveShape | null,
): number {
  let d = 0;
  SHAPE_KEYS.forEach((key, j) => {
    const w = weights[j] ?? 0;
    if (w <= 0) return;
    d += w * (a === null || b === null ? missingPenalty : (a[key] - b[key]) ** 2);
  });
  return d;
}

/**
 * Point, interval and values from kernel weights over history (the SQL function's algorithm). The
 * point is the midpoint of the densest `peakMass` of the weight: what minimises the median
 * absolute error when peaks pile up at the end of the budget with a long tail before it.
 */
export function predictFromWeights(
  peakMass: number,
  intervalMass: number,
  history: readonly HistoryRun[],
  weights: ArrayLike<number>,
  peakOf: (h: HistoryRun) => number = (h) => h.peakFraction,
): KernelPrediction {
  const histogram = new Float64Array(BINS + 1);
  let total = 0;
  let peakValue = 0;
  let finalValue = 0;
  history.forEach((h, i) => {
    const w = weights[i] as number;
    const bin = binOf(peakOf(h));
    histogram[bin] = (histogram[bin] as number) + w;
    total += w;
    peakValue += w * h.peakValue;
    finalValue += w * h.finalValue;
  });
  const [first, last] = densestBins(histogram, peakMass);
  const [low, high] = binsToInterval(densestBins(histogram, intervalMass));
  const order = history
    .map((h, i) => ({ h, w: weights[i] as number }))
    .sort((a, b) => b.w - a.w || (a.h.runId < b.h.runId ? -1 : a.h.runId > b.h.runId ? 1 : 0))
    .slice(0, SOURCES);
  return {
    peakFraction: (first + last) / (2 * BINS),
    low,
    high,
    peakValue: peakValue / total,
    finalValue: finalValue / total,
    sources: order.map(({ h, w }) => ({ runId: h.runId, weight: w / total, peakFraction: h.peakFraction })),
  };
}

/** A past run the version keeps, with its curve's shape at each of the state's checkpoints. */
export interface RepresentativeRun extends HistoryRun {
  shapes: (CurveShape | null)[];
}

/** A new run: its encoded features and, when it has evals, its shape at the checkpoint it reached. */
export interface KernelQuery {
  encoded: EncodedFeatures;
  /** The run's family (its interval is calibrated within it when history has enough of its tasks). */
  family?: string | null;
  /** The run's kind (`kindOf` its features): a checkpoint that does not answer for it defers to 0. */
  kind: string | null;
  checkpoint: number;
  shape: CurveShape | null;
}

/**
 * The index of the checkpoint whose knowledge answers a query: the one it reached, when it has a
 * shape there and that checkpoint answers for its kind; else 0 (as before the run's start).
 */
export function answeringCheckpoint(
  state: Pick<MetaModelState, 'checkpoints'>,
  query: Pick<KernelQuery, 'checkpoint' | 'shape' | 'kind'>,
): number {
  const k = state.checkpoints.findIndex((c) => Math.abs(c.at - query.checkpoint) <= FRACTION_EPSILON);
  const reached = state.checkpoints[k];
  return k > 0 && query.shape !== null && reached !== undefined && checkpointAnswers(reached, query.kind)
    ? k
    : 0;
}

/** Predicts for one query from encoded history, in TypeScript (the mirror of curfew_predict_stop). */
export function predictKernel(
  state: MetaModelState,
  history: readonly RepresentativeRun[],
  encoded: readonly EncodedFeatures[],
  query: KernelQuery,
): KernelPrediction | null {
  if (history.length === 0) return null;
  const cp = state.checkpoints[answeringCheckpoint(state, query)] as CheckpointState;
  const at = cp.at;
  const index = state.checkpoints.indexOf(cp);
  const weights = kernelWeights(
    encoded.map(
      (e, i) =>
        distance2(state, e, query.encoded) +
        (at > 0
          ? shapeDistance2(
              cp.shapeWeights,
              state.missingPenalty,
              history[i]?.shapes[index] ?? null,
              query.shape,
            )
          : 0),
    ),
  );
  const best = at > 0 ? (query.shape?.bestFraction ?? null) : null;
  const family = query.family ?? null;
  const mass =
    family !== null && Object.hasOwn(cp.familyMass, family)
      ? (cp.familyMass[family] as number)
      : cp.intervalMass;
  return predictFromWeights(state.peakMass, mass, history, weights, (h) =>
    effectivePeak(h.peakFraction, at, best),
  );
}
