import type { Curve } from '../replay/curve';
import { fitGbm, type GbmModel, type GbmOptions, predictGbm } from './gbm';
import { neededShares, type RankHistory, rankHistoryOf } from './rank-history';
import { STATE_FEATURES } from './state-features';
import { buildTrainingSet, type TrainingSet } from './training-set';

/**
 * What history teaches about stopping, as plain JSON (stored as a meta-model version):
 * - `mean`: the expected gain still to come from a curve state (best at budget − best so far);
 * - `upper`: a high quantile of it, for "can this run still catch the best one?";
 * - `calibration`: for thresholds on `mean`, the EM loss and tokens saved they gave on history
 *   runs the model had not seen (out-of-fold by task), so a tolerance maps to a threshold with no
 *   per-task tuning.
 */
export interface StopModel {
  format: 'curfew-stop-model/1';
  features: readonly string[];
  mean: GbmModel;
  upper: GbmModel;
  upperQuantile: number;
  calibration: CalibrationPoint[];
  /** How near-best runs stood at auto's first successive-halving rung (`value-at`). */
  rungRanks: RankHistory;
  /** How near-best runs stood, by best so far, at points through the budget (`best-so-far`). */
  progressRanks: RankHistory;
  history: { runs: number; tasks: string[] };
}

export interface CalibrationPoint {
  /** Stop once the predicted remaining gain falls below this. */
  threshold: number;
  /** Mean over tasks of the mean EM loss per run (out of fold). */
  meanLoss: number;
  /** Mean over tasks of the tokens saved. */
  saved: number;
}

export interface StopModelOptions {
  gbm: Partial<GbmOptions>;
  upperQuantile: number;
  /** Task folds for the out-of-fold calibration. */
  folds: number;
  /** States kept per run (long runs are subsampled evenly). */
  maxStatesPerRun: number;
  /** Budget fraction of the first successive-halving rung, where `rungRanks` are taken (auto's). */
  rungFraction: number;
  /** Budget fractions where `progressRanks` are taken. */
  rankFractions: readonly number[];
}

export const DEFAULT_STOP_MODEL_OPTIONS: StopModelOptions = {
  gbm: {},
  upperQuantile: 0.97,
  folds: 5,
  maxStatesPerRun: 10,
  rungFraction: 1 / 27,
  rankFractions: [2 / 27, 1 / 9, 2 / 9, 1 / 3, 1 / 2, 2 / 3, 5 / 6],
};

/** Thresholds tried in calibration: a geometric grid over the gains that matter (0.05 to 5 points). */
export const CALIBRATION_THRESHOLDS: readonly number[] = Array.from(
  { length: 41 },
  (_, k) => 0.0005 * 100 ** (k / 40),
);

/**
 * History prepared once (features of every state), from which models for any subset of tasks are
 * fitted. Folds are fixed by task so that models trained for overlapping subsets are shared.
 */
export class StopModelTrainer {
  readonly set: TrainingSet & { sampled: Uint8Array };
  readonly tasks: string[];
  private readonly taskOfRun: Int32Array;
  private readonly foldOfTask: Map<string, number>;
  /** Fold of each task, by its index in `tasks`. */
  private readonly foldOfTaskIndex: Int32Array;
  private readonly meanCache = new Map<string, GbmModel>();
  readonly options: StopModelOptions;

  constructor(
    readonly curves: readonly Curve[],
    options: Partial<StopModelOptions> = {},
  ) {
    this.options = { ...DEFAULT_STOP_MODEL_OPTIONS, ...options };
    this.set = buildTrainingSet(curves, this.options.maxStatesPerRun);
    this.tasks = [...new Set(curves.map((c) => c.task))].sort();
    const taskIndex = new Map(this.tasks.map((t, i) => [t, i]));
    this.taskOfRun = Int32Array.from(curves, (c) => taskIndex.get(c.task) as number);
    // Round-robin over sorted task names: deterministic, and balanced in count.
    this.foldOfTask = new Map(this.tasks.map((t, i) => [t, i % Math.max(1, this.options.folds)]));
    this.foldOfTaskIndex = Int32Array.from(this.tasks, (t) => this.foldOfTask.get(t) as number);
  }

  /** The fold of a history task, or undefined for a task history has not seen. */
  foldOf(task: string): number | undefined {
    return this.foldOfTask.get(task);
  }

  /** Rows of tasks outside the `excluded` folds; only the ones sampled for fitting if `sampledOnly`. */
  private rowsWithout(excluded: ReadonlySet<number>, sampledOnly: boolean): Int32Array {
    const out: number[] = [];
    for (let r = 0; r < this.set.run.length; r++) {
      if (sampledOnly && this.set.sampled[r] === 0) continue;
      const fold = this.foldOfTaskIndex[this.taskOfRun[this.set.run[r] as number] as number] as number;
      if (!excluded.has(fold)) out.push(r);
    }
    return Int32Array.from(out);
  }

  private meanModelWithout(excluded: ReadonlySet<number>): GbmModel {
    const key = [...excluded].sort((a, b) => a - b).join(',');
    let model = this.meanCache.get(key);
    if (!model) {
      model = fitGbm(this.set.x, this.set.remaining, this.options.gbm, this.rowsWithout(excluded, true));
      this.meanCache.set(key, model);
    }
    return model;
  }

  /**
   * A model that has seen no task of the folds in `excludedFolds` (none: all history). Its
   * calibration comes from the remaining folds, each predicted by a model that had not seen it.
   */
  fit(excludedFolds: ReadonlySet<number> = new Set()): StopModel {
    const rows = this.rowsWithout(excludedFolds, false);
    const mean = this.meanModelWithout(excludedFolds);
    const upper = fitGbm(
      this.set.x,
      this.set.remaining,
      { ...this.options.gbm, quantile: this.options.upperQuantile },
      this.rowsWithout(excludedFolds, true),
    );
    const oof = new Float64Array(this.set.run.length).fill(Number.NaN);
    const folds = new Set<number>();
    const foldOfRow = (r: number) =>
      this.foldOfTaskIndex[this.taskOfRun[this.set.run[r] as number] as number] as number;
    for (const r of rows) folds.add(foldOfRow(r));
    for (const fold of folds) {
      const model = this.meanModelWithout(new Set([...excludedFolds, fold]));
      for (const r of rows) {
        if (foldOfRow(r) === fold) oof[r] = predictGbm(model, this.set.x.data, r * this.set.x.cols);
      }
    }
    const usedTasks = this.tasks.filter((t) => !excludedFolds.has(this.foldOfTask.get(t) as number));
    const seen = this.curves.filter((c) => !excludedFolds.has(this.foldOfTask.get(c.task) as number));
    return {
      format: 'curfew-stop-model/1',
      features: STATE_FEATURES,
      mean,
      upper,
      upperQuantile: this.options.upperQuantile,
      calibration: folds.size > 1 ? this.calibrate(rows, oof) : [],
      rungRanks: rankHistoryOf(seen, [this.options.rungFraction], 'value-at'),
      progressRanks: rankHistoryOf(seen, this.options.rankFractions, 'best-so-far'),
      history: { runs: new Set(Array.from(rows, (r) => this.set.run[r])).size, tasks: usedTasks },
    };
  }

  /** Run-scope stops at each threshold, scored like stopeval.py (macro over tasks). */
  private calibrate(rows: Int32Array, predicted: Float64Array): CalibrationPoint[] {
    const thresholds = CALIBRATION_THRESHOLDS;
    const m = thresholds.length;
    const tasks = this.tasks.length;
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
      const run = this.set.run[rows[t] as number] as number;
      let end = t;
      while (end < rows.length && this.set.run[rows[end] as number] === run) end++;
      const curve = this.curves[run] as Curve;
      const task = this.taskOfRun[run] as number;
      const fullTokens = curve.evals[curve.evals.length - 1]?.tokens ?? 0;
      const record = (q: number, row: number) => {
        const at = task * m + q;
        used[at] = (used[at] as number) + (curve.evals[this.set.evalIndex[row] as number]?.tokens ?? 0);
        full[at] = (full[at] as number) + fullTokens;
        loss[at] = (loss[at] as number) + (this.set.remaining[row] as number);
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
}

/**
 * The threshold on predicted remaining gain for a tolerance: the largest whose out-of-fold mean
 * loss stayed within `safety × tolerance`. Null when no threshold is safe (then never stop on it).
 */
export function thresholdFor(model: StopModel, tolerance: number, safety = 1): number | null {
  let best: number | null = null;
  for (const point of model.calibration) if (point.meanLoss <= safety * tolerance) best = point.threshold;
  return best;
}

/**
 * How many times the share of runs history needed auto keeps, at the first rung and by best so
 * far: history has few groups, and a new task may rank its runs less cleanly.
 */
export const HISTORY_MARGIN = 2.5;

/**
 * The share of runs to promote at the first successive-halving rung (at budget `fraction`) so
 * that, in every history group, a run that ended within `tolerance` of the group's best would have
 * been promoted, with a margin: `safety` × the largest such share over groups (each group's
 * best-placed near-best run). Null when fewer than two groups are large enough to tell, or when
 * history was ranked at another rung.
 */
export function firstRungKeepShare(
  model: StopModel,
  tolerance: number,
  fraction: number,
  safety = HISTORY_MARGIN,
): number | null {
  const at = model.rungRanks.fractions[0];
  if (at === undefined || Math.abs(at - fraction) > 1e-9 * fraction) return null;
  const needed = neededShares(model.rungRanks, tolerance);
  return needed === null ? null : safety * (needed[0] as number);
}

/**
 * At each of history's rank fractions, the share of an experiment's runs to keep by best so far
 * so that, in every history group, a run that ended within `tolerance` of the best is kept, times
 * `safety` (at most 1). Null when fewer than two groups are large enough to tell.
 */
export function progressKeepShares(
  model: StopModel,
  tolerance: number,
  safety = HISTORY_MARGIN,
): { fractions: readonly number[]; shares: number[] } | null {
  const needed = neededShares(model.progressRanks, tolerance);
  if (needed === null) return null;
  return { fractions: model.progressRanks.fractions, shares: needed.map((n) => Math.min(1, safety * n)) };
}

/** Convenience: a model of all of `history`. */
export function fitStopModel(history: readonly Curve[], options: Partial<StopModelOptions> = {}): StopModel {
  return new StopModelTrainer(history, options).fit();
}
