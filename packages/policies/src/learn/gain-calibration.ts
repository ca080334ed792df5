import type { Curve } from '../replay/curve';
import type { TrainingSet } from './training-set';

export interface CalibrationPoint {
  /** Stop once the predicted remaining gain falls below this. */
  threshold: number;
  /** Mean over tasks of the mean EM loss per run (out of fold). */
  meanLoss: number;
  /** Mean over tasks of the tokens saved. */
  saved: number;
}

/** Thresholds tried in calibration: a geometric grid over the gains that matter (0.05 to 5 points). */
export const CALIBRATION_THRESHOLDS: readonly number[] = Array.from(
  { length: 41 },
  (_, k) => 0.0005 * 100 ** (k / 40),
);

/**
 * `meta`'s run-scope stops at each threshold on the model's predicted remaining gain, scored like
 * stopeval.py (macro over tasks): `predicted` holds, for each row of `rows`, a prediction by a
 * model that never saw the row's task.
 */
export function calibrateGainThresholds(
  set: TrainingSet,
  curves: readonly Curve[],
  taskOfRun: Int32Array,
  taskCount: number,
  rows: Int32Array,
  predicted: Float64Array,
): CalibrationPoint[] {
  const thresholds = CALIBRATION_THRESHOLDS;
  const m = thresholds.length;
  const tasks = taskCount;
  // Per task × threshold: tokens used, full tokens and summed loss of the runs; runs per task.
  const used = new Float64Array(tasks * m);
  const full = new Float64Array(tasks * m);
  const loss = new Float64Array(tasks * m);
  const runs = new Float64Array(tasks);
  // Rows of a run are consecutive and in eval order (buildTrainingSet). A larger threshold
  // stops no later than a smaller one, so the thresholds stopped so far are always [s, m): one
  // pass over a run's rows finds its stop for every threshold.
  let t = 0;
  while (t < rows.length) {
    const run = set.run[rows[t] as number] as number;
    let end = t;
    while (end < rows.length && set.run[rows[end] as number] === run) end++;
    const curve = curves[run] as Curve;
    const task = taskOfRun[run] as number;
    const fullTokens = curve.evals[curve.evals.length - 1]?.tokens ?? 0;
    const record = (q: number, row: number) => {
      const at = task * m + q;
      used[at] = (used[at] as number) + (curve.evals[set.evalIndex[row] as number]?.tokens ?? 0);
      full[at] = (full[at] as number) + fullTokens;
      loss[at] = (loss[at] as number) + (set.remaining[row] as number);
    };
    runs[task] = (runs[task] as number) + 1;
    let s = m;
    for (let u = t; u < end && s > 0; u++) {
      const row = rows[u] as number;
      const p = predicted[row] as number;
      let hi = s;
      while (hi > 0 && (thresholds[hi - 1] as number) > p) hi--;
      for (let q = hi; q < s; q++) record(q, row);
      s = Math.min(s, hi);
    }
    for (let q = 0; q < s; q++) record(q, rows[end - 1] as number);
    t = end;
  }
  return thresholds.map((threshold, q) => {
    let meanLoss = 0;
    let saved = 0;
    let n = 0;
    for (let task = 0; task < tasks; task++) {
      if (runs[task] === 0) continue;
      meanLoss += (loss[task * m + q] as number) / (runs[task] as number);
      saved += 1 - (used[task * m + q] as number) / (full[task * m + q] as number);
      n++;
    }
    return { threshold, meanLoss: meanLoss / n, saved: saved / n };
  });
}
