// The weight search of the fit: coordinate descent over feature weights on a bounded sample of
// history, keeping a change only when it lowers the leave-one-task-out error.
import { type LotoRuns, lotoHistograms, searchObjective } from './fit-loto.js';
import type { CategoryFeature, NumericFeature } from './model-state.js';

export const WEIGHT_GRID = [0.1, 0.3, 1, 3, 10, 30] as const;
/** Shape features lie in [0, 1] (trend in [−1, 1]): their squared differences need larger weights to tell runs apart. */
export const SHAPE_WEIGHT_GRID = [1, 3, 10, 30, 100, 300] as const;
/** A weight change is kept only if it lowers the search error by this share: fewer features, less overfitting. */
const MIN_GAIN = 0.01;
const PASSES = 2;

/** A feature with its values over a set of runs: numbers (NaN = absent) or category codes (−1 = absent). */
export type Candidate =
  | { kind: 'num'; feature: NumericFeature; values: Float64Array }
  | { kind: 'cat'; feature: CategoryFeature; values: Int32Array }
  | { kind: 'shape'; values: Float64Array };

/** Unweighted squared distances of one feature between the runs `rows` (row-major). */
export function featureMatrix(c: Candidate, rows: ArrayLike<number>, missingPenalty: number): Float32Array {
  const n = rows.length;
  const m = new Float32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const d = pairDistance(c, rows[a] as number, rows[b] as number, missingPenalty);
      m[a * n + b] = d;
      m[b * n + a] = d;
    }
  }
  return m;
}

/** One candidate's squared distance between runs i and j (indices into its values). */
export function pairDistance(c: Candidate, i: number, j: number, missingPenalty: number): number {
  const x = c.values[i] as number;
  const y = c.values[j] as number;
  if (c.kind === 'cat') return x === y ? 0 : 1;
  const xm = Number.isNaN(x);
  const ym = Number.isNaN(y);
  if (xm && ym) return c.kind === 'shape' ? missingPenalty : 0;
  return xm || ym ? missingPenalty : (x - y) * (x - y);
}

/**
 * A function filling one row of weighted squared distances (run `a` against every run) into a
 * buffer it reuses: the final pass over all kept runs, without n × n matrices.
 */
export function rowDistances(
  candidates: readonly Candidate[],
  weights: readonly number[],
  n: number,
  missingPenalty: number,
): (a: number) => Float64Array {
  const used = candidates.flatMap((c, k) =>
    (weights[k] as number) > 0 ? [{ c, w: weights[k] as number }] : [],
  );
  const row = new Float64Array(n);
  return (a) => {
    row.fill(0);
    for (const { c, w } of used) {
      for (let b = 0; b < n; b++)
        if (b !== a) row[b] = (row[b] as number) + w * pairDistance(c, a, b, missingPenalty);
    }
    return row;
  };
}

/** Σ weight × matrix over the candidates, added to `base` when given. */
export function weightedSum(
  matrices: readonly Float32Array[],
  weights: readonly number[],
  size: number,
  base?: Float64Array,
): Float64Array {
  const d = base ? Float64Array.from(base) : new Float64Array(size);
  matrices.forEach((m, k) => {
    const w = weights[k] as number;
    if (w <= 0) return;
    for (let i = 0; i < size; i++) d[i] = (d[i] as number) + w * (m[i] as number);
  });
  return d;
}

/**
 * Coordinate search over the weights of `matrices` (pairwise distances, one per feature), on top
 * of the fixed distances `base`: starting from all weights 0, tries each grid value for each
 * feature and keeps it when `errorOf` the summed distances falls by more than MIN_GAIN; at most
 * PASSES passes. Returns the weights, the distances they give and their error.
 */
export function coordinateSearch(
  matrices: readonly Float32Array[],
  base: Float64Array,
  errorOf: (distances: Float64Array) => number,
  grid: readonly number[] = WEIGHT_GRID,
): { weights: number[]; distances: Float64Array; error: number } {
  const weights = matrices.map(() => 0);
  let d = base;
  let best = errorOf(d);
  if (matrices.length === 0) return { weights, distances: d, error: best };
  for (let pass = 0; pass < PASSES; pass++) {
    let changed = false;
    matrices.forEach((m, k) => {
      for (const w of [0, ...grid]) {
        const current = weights[k] as number;
        if (w === current) continue;
        const trial = new Float64Array(d.length);
        for (let i = 0; i < d.length; i++) trial[i] = (d[i] as number) + (w - current) * (m[i] as number);
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
  return { weights, distances: d, error: best };
}

/** `coordinateSearch` for the peak model: the objective is its leave-one-task-out error on `runs`. */
export function searchWeights(
  matrices: readonly Float32Array[],
  runs: LotoRuns,
  base: Float64Array,
  grid: readonly number[] = WEIGHT_GRID,
): number[] {
  if (matrices.length === 0) return [];
  return coordinateSearch(matrices, base, (d) => searchObjective(lotoHistograms(d, runs), runs), grid)
    .weights;
}
