import { PolicyOptionsError } from '../errors';
import type { Curve } from '../replay/curve';
import { type CurveKind, curveKind } from './curve-kind';
import { type CalibrationPoint, calibrateGainThresholds } from './gain-calibration';
import { fitGbm, type GbmModel, type GbmOptions, predictGbm } from './gbm';
import { type HalvingSchedule, halvingSchedules, halvingTable } from './halving-table';
import { type PlateauTables, plateauTables } from './plateau-table';
import { type RemainingGainTables, remainingGainTables } from './remaining-gain-table';
import type { RiskTable } from './risk-control';
import { STATE_FEATURES } from './state-features';
import { taskUnit } from './task-unit';
import { buildTrainingSet, type TrainingSet } from './training-set';

export type { CalibrationPoint } from './gain-calibration';
export { CALIBRATION_THRESHOLDS } from './gain-calibration';

/** The format written by this code; `checkStopModel` says what to do with any other. */
export const STOP_MODEL_FORMAT = 'curfew-stop-model/3';

/**
 * What history teaches about stopping, as plain JSON (stored as a meta-model version):
 * - for `meta`: `mean`, the expected gain still to come from a curve state (best at budget − best
 *   so far), `upper` a high quantile of it, and `calibration`, for thresholds on `mean`, the loss
 *   and tokens saved they gave on history runs the model had not seen (out of fold by task);
 * - for `auto` (format 3): what its rules lost on history, from which `learn/auto-rules.ts` picks
 *   the most aggressive setting whose loss history bounds within a tolerance (`risk-control.ts`):
 *   `plateau`, the plateau rule per tolerance and window, run by run and for each group's leading
 *   runs; `remainingGain`, the remaining-gain bound per window, noise margin and threshold, run
 *   by run (absent in a model fitted before it: `auto` then keeps to its safe default);
 *   `halving`, robust successive halving per keep share, per group and run order, at the default
 *   rungs, and `halvingSchedules` the same at the other rung schedules (absent in a model fitted
 *   before them: `auto` then halves at the default rungs only);
 *   `kinds`, the kind of curve of each of their tasks and groups (`curve-kind.ts`: metric kind and
 *   family), by which history is matched to a run.
 */
export interface StopModel {
  format: typeof STOP_MODEL_FORMAT;
  features: readonly string[];
  mean: GbmModel;
  upper: GbmModel;
  upperQuantile: number;
  calibration: CalibrationPoint[];
  plateau: PlateauTables;
  remainingGain?: RemainingGainTables;
  halving: RiskTable;
  halvingSchedules?: HalvingSchedule[];
  /** The kind of curve of each task and group of history (metric kind and family). */
  kinds: { tasks: Record<string, CurveKind>; groups: Record<string, CurveKind> };
  history: { runs: number; tasks: string[] };
}

/** Formats `meta` still reads: 1 (before `auto` learned its rules with risk control) and 2 (history matched by family alone). */
const OLDER_FORMATS: readonly string[] = ['curfew-stop-model/1', 'curfew-stop-model/2'];

/**
 * A stop model this code can use, checked at run time (models are stored as JSON). Older formats
 * (`OLDER_FORMATS`) still serve `meta`; `auto` given one finds none of its tables and keeps to its
 * robust defaults (`hasAutoTables`) until the next refit: format 2 matched history by family
 * alone and pooled all of it for a family it had too little of, which let curves of other metrics
 * judge a run. Any other format is refused with a message saying what to do.
 */
export function checkStopModel<M extends { format: string }>(model: M): M {
  const format: unknown = model.format;
  if (format === STOP_MODEL_FORMAT || OLDER_FORMATS.includes(format as string)) return model;
  throw new PolicyOptionsError(
    `stop model format ${JSON.stringify(format)} is not one this curfew reads (${STOP_MODEL_FORMAT}): ` +
      'fit it again from history (curfew replay --history, or restart the workers)',
  );
}

/** Whether a model carries the tables `auto` learns its rules from, matched by kind of curve (format 3). */
export function hasAutoTables(model: StopModel): boolean {
  return (
    (model.format as string) === STOP_MODEL_FORMAT &&
    model.plateau !== undefined &&
    model.halving !== undefined
  );
}

export interface StopModelOptions {
  gbm: Partial<GbmOptions>;
  upperQuantile: number;
  /** Task folds for the out-of-fold calibration. */
  folds: number;
  /** States kept per run (long runs are subsampled evenly). */
  maxStatesPerRun: number;
}

export const DEFAULT_STOP_MODEL_OPTIONS: StopModelOptions = {
  gbm: {},
  upperQuantile: 0.97,
  folds: 5,
  maxStatesPerRun: 10,
};

/**
 * History prepared once (features of every state), from which models for any subset of tasks are
 * fitted. Folds are fixed by task unit (`taskUnit`: a workload under several frameworks or rule
 * versions is one unit), round-robin over the sorted units, so that models trained for
 * overlapping subsets are shared.
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
    const unitOfTask = new Map(curves.map((c) => [c.task, taskUnit(c)]));
    const units = [...new Set(unitOfTask.values())].sort();
    const folds = Math.max(1, this.options.folds);
    const foldOfUnit = new Map(units.map((u, i) => [u, i % folds]));
    this.foldOfTask = new Map(
      this.tasks.map((t) => [t, foldOfUnit.get(unitOfTask.get(t) as string) as number]),
    );
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
   * calibration comes from the remaining folds, each predicted by a model that had not seen it;
   * `auto`'s tables have nothing fitted in them and are scored on the remaining history directly.
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
    const calibration =
      folds.size > 1
        ? calibrateGainThresholds(this.set, this.curves, this.taskOfRun, this.tasks.length, rows, oof)
        : [];
    return {
      format: STOP_MODEL_FORMAT,
      features: STATE_FEATURES,
      mean,
      upper,
      upperQuantile: this.options.upperQuantile,
      calibration,
      plateau: plateauTables(seen),
      remainingGain: remainingGainTables(seen),
      halving: halvingTable(seen),
      halvingSchedules: halvingSchedules(seen),
      kinds: {
        tasks: Object.fromEntries(seen.map((c) => [c.task, curveKind(c.metric, c.mode, c.features)])),
        groups: Object.fromEntries(seen.map((c) => [c.group, curveKind(c.metric, c.mode, c.features)])),
      },
      history: { runs: new Set(Array.from(rows, (r) => this.set.run[r])).size, tasks: usedTasks },
    };
  }
}

/**
 * The threshold on predicted remaining gain for a tolerance: the largest whose out-of-fold mean
 * loss stayed within `safety × tolerance`. Null when no threshold is safe (then never stop on it).
 */
export function thresholdFor(
  model: Pick<StopModel, 'calibration'>,
  tolerance: number,
  safety = 1,
): number | null {
  let best: number | null = null;
  for (const point of model.calibration) if (point.meanLoss <= safety * tolerance) best = point.threshold;
  return best;
}

/** Convenience: a model of all of `history`. */
export function fitStopModel(history: readonly Curve[], options: Partial<StopModelOptions> = {}): StopModel {
  return new StopModelTrainer(history, options).fit();
}
