// The outcome model's fit: coordinate descent over feature weights, keeping a change only when it
// lowers the leave-one-task-out error of the predicted rank (each task weighing the same).
import { RANK_SUFFIX } from './features.js';
import { type Candidate, coordinateSearch, featureMatrix } from './fit-search.js';
import { kernelMean, type OutcomeState } from './outcome.js';

/**
 * Features the outcome model must not read: a recorded curve's number of evals is how long it
 * ran, which in some histories (AlgoPerf: runs end at their target or their time limit) says
 * how well it did; a live run's is the same for every run of the sweep. Neither tells, before
 * a run starts, which configs are the promising ones.
 */
const NOT_BEFORE_START = ['evals_per_run', `evals_per_run${RANK_SUFFIX}`];

/** Leave-one-task-out predictions of the sample's ranks from distances `d` (row-major, n × n). */
function lotoPredictions(d: Float64Array, taskIds: Int32Array, ranks: Float64Array): Float64Array {
  const n = taskIds.length;
  const out = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    const task = taskIds[a];
    out[a] = kernelMean(d.subarray(a * n, (a + 1) * n), ranks, (b) => taskIds[b] === task);
  }
  return out;
}

function perTask(taskIds: Int32Array, value: (rows: number[]) => number | null): number {
  const rows = new Map<number, number[]>();
  taskIds.forEach((t, i) => {
    const list = rows.get(t);
    if (list) list.push(i);
    else rows.set(t, [i]);
  });
  const values = [...rows.values()].map(value).filter((v): v is number => v !== null);
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

const meanAbsError = (taskIds: Int32Array, predicted: Float64Array, ranks: Float64Array) =>
  perTask(
    taskIds,
    (rows) =>
      rows.reduce((s, i) => s + Math.abs((predicted[i] as number) - (ranks[i] as number)), 0) / rows.length,
  );

/** Spearman's rho of two lists (mid-ranks for ties); 0 when either is constant. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const order = v.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
    const r = new Array<number>(v.length);
    for (let k = 0; k < order.length; ) {
      let j = k;
      while (j + 1 < order.length && order[j + 1]?.x === order[k]?.x) j++;
      for (let m = k; m <= j; m++) r[(order[m] as { i: number }).i] = (k + j) / 2;
      k = j + 1;
    }
    return r;
  };
  const rx = rank(xs);
  const ry = rank(ys);
  const mean = (xs.length - 1) / 2;
  let num = 0;
  let dx = 0;
  let dy = 0;
  rx.forEach((x, i) => {
    const y = ry[i] as number;
    num += (x - mean) * (y - mean);
    dx += (x - mean) ** 2;
    dy += (y - mean) ** 2;
  });
  return dx > 0 && dy > 0 ? num / Math.sqrt(dx * dy) : 0;
}

/**
 * Searches the outcome model's weights on the runs `sample` (indices into the candidates' values),
 * whose tasks are `taskIds` and ranks `ranks` (aligned with the sample).
 */
export function fitOutcome(
  candidates: readonly Candidate[],
  sample: readonly number[],
  taskIds: Int32Array,
  ranks: Float64Array,
  missingPenalty: number,
): OutcomeState {
  const features = candidates.filter(
    (c): c is Exclude<Candidate, { kind: 'shape' }> =>
      c.kind !== 'shape' && !NOT_BEFORE_START.includes(c.feature.key),
  );
  const matrices = features.map((c) => featureMatrix(c, sample, missingPenalty));
  const size = sample.length * sample.length;
  const errorOf = (dist: Float64Array) => meanAbsError(taskIds, lotoPredictions(dist, taskIds, ranks), ranks);
  const baselineError = meanAbsError(taskIds, new Float64Array(ranks.length).fill(0.5), ranks);
  const { weights, distances: d, error: best } = coordinateSearch(matrices, new Float64Array(size), errorOf);
  const predicted = lotoPredictions(d, taskIds, ranks);
  const lotoSpearman = perTask(taskIds, (rows) =>
    rows.length < 3
      ? null
      : spearman(
          rows.map((i) => predicted[i] as number),
          rows.map((i) => ranks[i] as number),
        ),
  );
  return {
    numeric: features.flatMap((c, k) =>
      c.kind === 'num' && (weights[k] as number) > 0 ? [{ ...c.feature, weight: weights[k] as number }] : [],
    ),
    categories: features.flatMap((c, k) =>
      c.kind === 'cat' && (weights[k] as number) > 0 ? [{ ...c.feature, weight: weights[k] as number }] : [],
    ),
    lotoError: best,
    baselineError,
    lotoSpearman,
  };
}
