// Leave-one-task-out machinery of the fit: pairwise distances between history runs, each run's
// kernel-weighted histogram of the other tasks' peaks (as seen from its checkpoint), and what the
// fit reads off them (errors, coverage, interval width).
import { BINS, binOf, binsToInterval, densestBins, effectivePeak } from './kernel.js';

/** Share of the kernel weight whose densest run of bins gives the point prediction (its midpoint). */
export const PEAK_MASS = 0.5;

/** What the histograms need of the runs they are computed over (indices into the same arrays). */
export interface LotoRuns {
  taskIds: Int32Array;
  peaks: Float64Array;
  /** Best-so-far fraction at the checkpoint; NaN where the run had no eval by then (not a query). */
  best: Float64Array;
  at: number;
}

/**
 * For each run, the kernel-weighted histogram of the other tasks' runs' peaks (effective peaks:
 * a past run that had peaked by the checkpoint stands for the query's own best so far), from the
 * row-major squared distances `d`. Rows of runs that are no query at this checkpoint stay empty.
 */
export function lotoHistograms(d: ArrayLike<number>, runs: LotoRuns): Float64Array {
  const n = runs.taskIds.length;
  const view = d instanceof Float64Array ? d : Float64Array.from(d);
  return lotoHistogramsByRow((a) => view.subarray(a * n, (a + 1) * n), runs);
}

/** The same from one row of squared distances at a time (so all of history needs O(n) memory). */
export function lotoHistogramsByRow(rowOf: (a: number) => ArrayLike<number>, runs: LotoRuns): Float64Array {
  const n = runs.taskIds.length;
  const out = new Float64Array(n * (BINS + 1));
  // A past run's bin, unless it had peaked by the checkpoint (then the query's best so far).
  const bins = Int32Array.from(runs.peaks, (p) => binOf(p));
  const passed = Uint8Array.from(runs.peaks, (p) => (effectivePeak(p, runs.at, -1) === -1 ? 1 : 0));
  for (let a = 0; a < n; a++) {
    const best = runs.best[a] as number;
    if (runs.at > 0 && Number.isNaN(best)) continue;
    const bestBin = runs.at > 0 ? binOf(best) : 0;
    const task = runs.taskIds[a];
    const row = rowOf(a);
    let min = Number.POSITIVE_INFINITY;
    for (let b = 0; b < n; b++) if (runs.taskIds[b] !== task) min = Math.min(min, row[b] as number);
    const base = a * (BINS + 1);
    for (let b = 0; b < n; b++) {
      if (runs.taskIds[b] === task) continue;
      const excess = (row[b] as number) - min;
      // exp(−40) is below a part in 10^17 of the nearest run's weight: it cannot move a bin.
      if (excess > 40) continue;
      const at = base + (passed[b] ? bestBin : (bins[b] as number));
      out[at] = (out[at] as number) + Math.exp(-excess);
    }
  }
  return out;
}

export const histogramAt = (histograms: Float64Array, a: number) =>
  histograms.subarray(a * (BINS + 1), (a + 1) * (BINS + 1));

/** Runs that are queries at the checkpoint (they had an eval by then, or it is 0). */
export function queryRows(runs: LotoRuns, only?: (a: number) => boolean): number[] {
  const rows: number[] = [];
  for (let a = 0; a < runs.taskIds.length; a++) {
    if ((runs.at === 0 || !Number.isNaN(runs.best[a])) && (only === undefined || only(a))) rows.push(a);
  }
  return rows;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Absolute errors of the point prediction (the densest half's midpoint), per query row. */
export function lotoErrors(histograms: Float64Array, runs: LotoRuns): number[] {
  return queryRows(runs).map((a) => {
    const [first, last] = densestBins(histogramAt(histograms, a), PEAK_MASS);
    return Math.abs((first + last) / (2 * BINS) - (runs.peaks[a] as number));
  });
}

/**
 * What the weight search minimises, per held-out task then averaged over tasks (each task weighs
 * the same, so many easy tasks cannot hide a hard kind): the median absolute error (what users
 * are promised) plus a share of the mean. The median alone is flat once half the runs are exactly
 * right, so the first feature that gets there would win by chance; the mean breaks such ties
 * toward the feature that is right on more runs.
 */
export function searchObjective(histograms: Float64Array, runs: LotoRuns): number {
  const rows = queryRows(runs);
  return objectiveOf(
    lotoErrors(histograms, runs),
    rows.map((a) => runs.taskIds[a] as number),
  );
}

/** Per task, the median error plus a quarter of the mean, averaged over tasks (the search's objective). */
export function objectiveOf(errors: readonly number[], tasks: readonly number[]): number {
  const byTask = new Map<number, number[]>();
  errors.forEach((e, i) => {
    const list = byTask.get(tasks[i] as number);
    if (list) list.push(e);
    else byTask.set(tasks[i] as number, [e]);
  });
  let sum = 0;
  for (const xs of byTask.values()) sum += median(xs) + 0.25 * (xs.reduce((s, e) => s + e, 0) / xs.length);
  return sum / Math.max(1, byTask.size);
}

/** Share of query rows whose actual peak lies inside the interval of `mass`, each task weighing the same. */
export function taskCoverage(
  histograms: Float64Array,
  runs: LotoRuns,
  mass: number,
  only?: (a: number) => boolean,
): number {
  const byTask = new Map<number, { inside: number; n: number }>();
  for (const a of queryRows(runs, only)) {
    const [low, high] = binsToInterval(densestBins(histogramAt(histograms, a), mass));
    const y = runs.peaks[a] as number;
    const t = byTask.get(runs.taskIds[a] as number) ?? { inside: 0, n: 0 };
    t.n++;
    if (y >= low && y <= high) t.inside++;
    byTask.set(runs.taskIds[a] as number, t);
  }
  const shares = [...byTask.values()].map((t) => t.inside / t.n);
  return shares.reduce((s, x) => s + x, 0) / Math.max(1, shares.length);
}

/**
 * The smallest interval mass whose out-of-fold coverage, over held-out tasks of history, reaches
 * the target (split conformal with tasks as the exchangeable units).
 */
export function calibrateMass(
  histograms: Float64Array,
  runs: LotoRuns,
  target: number,
  only?: (a: number) => boolean,
): number {
  // Coverage grows with the mass (the densest run of bins only widens): bisect the grid of hundredths.
  let lo = 50;
  let hi = 100;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (taskCoverage(histograms, runs, mid / 100, only) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo / 100;
}
