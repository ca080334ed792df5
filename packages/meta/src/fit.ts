import { candidateFeatures } from './candidates.js';
import type { RunFeatures } from './features.js';
import { BINS, binOf, binsToInterval, densestBins, type HistoryRun } from './kernel.js';
import {
  type CategoryFeature,
  encodeCategory,
  encodeNumeric,
  type LotoSummary,
  type MetaModelState,
  type NumericFeature,
} from './model-state.js';

/** A finished past run with its features. */
export interface FitRun extends HistoryRun {
  features: RunFeatures;
}

export interface FitOptions {
  /**
   * Share of actual peaks the interval should cover on tasks it never saw (leave-one-task-out).
   * @defaultValue 0.85 (a margin over the 80% promised, since a new task differs from all of history)
   */
  coverageTarget?: number;
  /**
   * Most runs the weight search looks at (a fixed, per-task-balanced sample); the final
   * leave-one-task-out error and the interval calibration use every run.
   * @defaultValue 1000
   */
  maxSearchRuns?: number;
}

export class MetaFitError extends Error {
  override readonly name = 'MetaFitError';
}

const MISSING_PENALTY = 4;
const PEAK_MASS = 0.5;
const WEIGHT_GRID = [0.1, 0.3, 1, 3, 10, 30] as const;
/** A weight change is kept only if it lowers the search error by this share: fewer features, less overfitting. */
const MIN_GAIN = 0.01;
const PASSES = 2;
const MEAN_SHARE = 0.25;

type Candidate =
  | { kind: 'num'; feature: NumericFeature; values: Float64Array }
  | {
      kind: 'cat';
      feature: CategoryFeature;
      values: Int32Array;
    };

/**
 * Learns which features make past runs similar, from history alone: starting from no feature
 * (every past run weighs the same, i.e. the history's densest half), a coordinate search over
 * feature weights keeps a change only when it lowers the leave-one-task-out median absolute error
 * of the predicted peak. The interval's mass is then calibrated on the out-of-fold predictions.
 */
export function fitState(history: readonly FitRun[], options: FitOptions = {}): MetaModelState {
  const tasks = new Set(history.map((h) => h.task));
  if (tasks.size < 2) {
    throw new MetaFitError(
      `the meta-learner needs finished runs of at least 2 tasks to learn across tasks, got ${tasks.size}`,
    );
  }
  const { numeric, categories } = candidateFeatures(history.map((h) => h.features));
  const candidates: Candidate[] = [
    ...numeric.map(
      (feature): Candidate => ({
        kind: 'num',
        feature,
        values: Float64Array.from(history, (h) => encodeNumeric(feature, h.features) ?? Number.NaN),
      }),
    ),
    ...categories.map((feature): Candidate => {
      const codes = new Map<string, number>();
      const values = Int32Array.from(history, (h) => {
        const v = encodeCategory(feature.key, h.features);
        if (v === null) return -1;
        if (!codes.has(v)) codes.set(v, codes.size);
        return codes.get(v) as number;
      });
      return { kind: 'cat', feature, values };
    }),
  ];
  const taskIds = taskIndex(history);
  const bins = Int32Array.from(history, (h) => binOf(h.peakFraction));
  const weights = searchWeights(candidates, taskIds, bins, history, options.maxSearchRuns ?? 1000);
  const full = allIndices(history.length);
  const distances = pairDistances(candidates, weights, full);
  const histograms = lotoHistograms(distances, full, taskIds, bins);
  const coverageTarget = options.coverageTarget ?? 0.85;
  const intervalMass = calibrate(histograms, history, coverageTarget);
  const loto = summarise(histograms, history, taskIds, intervalMass);
  return {
    kind: 'kernel-shorth',
    numeric: candidates.flatMap((c, k) =>
      c.kind === 'num' && (weights[k] as number) > 0 ? [{ ...c.feature, weight: weights[k] as number }] : [],
    ),
    categories: candidates.flatMap((c, k) =>
      c.kind === 'cat' && (weights[k] as number) > 0 ? [{ ...c.feature, weight: weights[k] as number }] : [],
    ),
    missingPenalty: MISSING_PENALTY,
    peakMass: PEAK_MASS,
    intervalMass,
    coverageTarget,
    loto,
    considered: candidates.map((c) => c.feature.key),
  };
}

function taskIndex(history: readonly FitRun[]): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from(history, (h) => {
    if (!ids.has(h.task)) ids.set(h.task, ids.size);
    return ids.get(h.task) as number;
  });
}

const allIndices = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** FNV-1a, for a sample that does not depend on the order runs were read in. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Up to `max` runs, the same number from every task (as far as each has them). */
function balancedSample(history: readonly FitRun[], taskIds: Int32Array, max: number): Int32Array {
  const byTask = new Map<number, number[]>();
  taskIds.forEach((t, i) => {
    const list = byTask.get(t);
    if (list) list.push(i);
    else byTask.set(t, [i]);
  });
  const perTask = Math.max(1, Math.ceil(max / byTask.size));
  const picked: number[] = [];
  for (const list of byTask.values()) {
    list.sort((a, b) => hash((history[a] as FitRun).runId) - hash((history[b] as FitRun).runId));
    picked.push(...list.slice(0, perTask));
  }
  return Int32Array.from(picked.sort((a, b) => a - b));
}

/** Unweighted squared distances of one feature between the runs of `sample` (row-major). */
function featureMatrix(c: Candidate, sample: Int32Array): Float64Array {
  const n = sample.length;
  const m = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const x = c.values[sample[a] as number] as number;
    for (let b = a + 1; b < n; b++) {
      const y = c.values[sample[b] as number] as number;
      let d: number;
      if (c.kind === 'num') {
        const xm = Number.isNaN(x);
        const ym = Number.isNaN(y);
        d = xm && ym ? 0 : xm || ym ? MISSING_PENALTY : (x - y) * (x - y);
      } else {
        d = x === y ? 0 : 1;
      }
      m[a * n + b] = d;
      m[b * n + a] = d;
    }
  }
  return m;
}

function pairDistances(candidates: readonly Candidate[], weights: readonly number[], sample: Int32Array) {
  const n = sample.length;
  const d = new Float64Array(n * n);
  candidates.forEach((c, k) => {
    const w = weights[k] as number;
    if (w <= 0) return;
    const m = featureMatrix(c, sample);
    for (let i = 0; i < d.length; i++) d[i] = (d[i] as number) + w * (m[i] as number);
  });
  return d;
}

/** For each run of `sample`, the kernel-weighted histogram of the peaks of the other tasks' runs. */
function lotoHistograms(d: Float64Array, sample: Int32Array, taskIds: Int32Array, bins: Int32Array) {
  const n = sample.length;
  const out = new Float64Array(n * (BINS + 1));
  for (let a = 0; a < n; a++) {
    const task = taskIds[sample[a] as number];
    let min = Number.POSITIVE_INFINITY;
    for (let b = 0; b < n; b++) {
      if (taskIds[sample[b] as number] !== task) min = Math.min(min, d[a * n + b] as number);
    }
    const base = a * (BINS + 1);
    for (let b = 0; b < n; b++) {
      const j = sample[b] as number;
      if (taskIds[j] === task) continue;
      const at = base + (bins[j] as number);
      out[at] = (out[at] as number) + Math.exp(-((d[a * n + b] as number) - min));
    }
  }
  return out;
}

const histogramAt = (histograms: Float64Array, a: number) =>
  histograms.subarray(a * (BINS + 1), (a + 1) * (BINS + 1));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function lotoErrors(histograms: Float64Array, sample: Int32Array, history: readonly FitRun[]): number[] {
  const errors: number[] = [];
  sample.forEach((i, a) => {
    const [first, last] = densestBins(histogramAt(histograms, a), PEAK_MASS);
    errors.push(Math.abs((first + last) / (2 * BINS) - (history[i] as FitRun).peakFraction));
  });
  return errors;
}

const lotoError = (histograms: Float64Array, sample: Int32Array, history: readonly FitRun[]) =>
  median(lotoErrors(histograms, sample, history));

/**
 * What the weight search minimises: the median absolute error (what users are promised) plus a
 * share of the mean. The median alone is flat once half the runs are exactly right, so the first
 * feature that gets there would win by chance; the mean breaks such ties toward the feature that
 * is right on more runs.
 */
function searchObjective(errors: number[]): number {
  return median(errors) + MEAN_SHARE * (errors.reduce((s, e) => s + e, 0) / errors.length);
}

function searchWeights(
  candidates: readonly Candidate[],
  taskIds: Int32Array,
  bins: Int32Array,
  history: readonly FitRun[],
  maxSearchRuns: number,
): number[] {
  const sample = balancedSample(history, taskIds, maxSearchRuns);
  const matrices = candidates.map((c) => featureMatrix(c, sample));
  const weights = candidates.map(() => 0);
  let d = new Float64Array(sample.length * sample.length);
  const errorOf = (dist: Float64Array) =>
    searchObjective(lotoErrors(lotoHistograms(dist, sample, taskIds, bins), sample, history));
  let best = errorOf(d);
  for (let pass = 0; pass < PASSES; pass++) {
    let changed = false;
    candidates.forEach((_, k) => {
      const m = matrices[k] as Float64Array;
      const current = weights[k] as number;
      for (const w of [0, ...WEIGHT_GRID]) {
        if (w === current) continue;
        const trial = new Float64Array(d.length);
        for (let i = 0; i < d.length; i++)
          trial[i] = (d[i] as number) + (w - (weights[k] as number)) * (m[i] as number);
        const error = errorOf(trial);
        if (error < best * (1 - MIN_GAIN)) {
          best = error;
          d = trial;
          weights[k] = w;
          changed = true;
        }
      }
    });
    if (!changed) break;
  }
  return weights;
}

/** The smallest interval mass whose out-of-fold coverage reaches the target. */
function calibrate(histograms: Float64Array, history: readonly FitRun[], target: number): number {
  for (let mass = 0.5; mass < 1; mass = Math.round((mass + 0.01) * 100) / 100) {
    if (coverage(histograms, history, mass) >= target) return mass;
  }
  return 1;
}

function coverage(histograms: Float64Array, history: readonly FitRun[], mass: number): number {
  let inside = 0;
  history.forEach((h, a) => {
    const [low, high] = binsToInterval(densestBins(histogramAt(histograms, a), mass));
    if (h.peakFraction >= low && h.peakFraction <= high) inside++;
  });
  return inside / history.length;
}

function summarise(
  histograms: Float64Array,
  history: readonly FitRun[],
  taskIds: Int32Array,
  intervalMass: number,
): LotoSummary {
  const tasks = new Set(taskIds);
  const medians = new Map<number, number>();
  for (const t of tasks) {
    medians.set(t, median(history.filter((_, i) => taskIds[i] !== t).map((h) => h.peakFraction)));
  }
  return {
    medianAbsError: lotoError(histograms, allIndices(history.length), history),
    baselineMedianAbsError: median(
      history.map((h, i) => Math.abs((medians.get(taskIds[i] as number) as number) - h.peakFraction)),
    ),
    coverage: coverage(histograms, history, intervalMass),
    runs: history.length,
    tasks: tasks.size,
  };
}
