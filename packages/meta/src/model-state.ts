import type { RunFeatures } from './features.js';
import type { OutcomeState } from './outcome.js';

/** A numeric feature: z-score of the value (of its natural log when `log`), weighted. */
export interface NumericFeature {
  key: string;
  log: boolean;
  center: number;
  scale: number;
  /** Squared-distance weight; larger means runs must agree more on this feature. */
  weight: number;
}

/** A categorical feature: `weight` is added to the squared distance when two runs differ. */
export interface CategoryFeature {
  key: string;
  weight: number;
}

/** What the meta-learner knows at one checkpoint of a run's budget. */
export interface CheckpointState {
  /** Fraction of the budget; 0 is before the run's first eval. */
  at: number;
  /** Squared-distance weights of the curve-shape features, in the order of SHAPE_KEYS (all 0 at 0). */
  shapeWeights: number[];
  /** Kernel-weighted mass of the densest run of peak bins reported as [low, high], calibrated out of fold. */
  intervalMass: number;
  /**
   * The same, calibrated on the held-out tasks of one family alone (Mondrian conformal), for the
   * families with enough tasks in history; a run of another family gets `intervalMass`.
   */
  familyMass: Record<string, number>;
  /**
   * Which kinds of run (values of the `metric` feature, KIND_KEY) this checkpoint answers for: those
   * whose leave-one-task-out error here beat their error before the start (median, then mean),
   * pooled and over history's tasks of the kind by a sign test (fit-checkpoint.ts). A run of a kind in
   * `start` is answered as before its start (checkpoint 0's knowledge, its own evals unread); a run
   * of a kind in neither list (or without the feature) is answered here when `unseen` is true, by the
   * same tests over all kinds pooled; so is a kind in history none of whose runs had an eval by
   * the checkpoint. Absent in older versions: the checkpoint answers every run.
   */
  kinds?: CheckpointKinds;
  /**
   * Leave-one-task-out results at this checkpoint, of the answers it gives (checkpoint 0's where it
   * defers). `kinds` was chosen on these same held-out errors, so the summary is the better of two
   * per kind: optimistic, not a held-out estimate of the choice.
   */
  loto: LotoSummary;
}

export interface CheckpointKinds {
  answers: string[];
  start: string[];
  unseen: boolean;
}

/** The feature whose value is a run's kind for {@link CheckpointKinds}: the metric its policy watches. */
export const KIND_KEY = 'metric';

/** A run's kind for {@link CheckpointKinds}: its KIND_KEY feature when that is a string, else null. */
export function kindOf(features: RunFeatures): string | null {
  const v = features[KIND_KEY];
  return typeof v === 'string' ? v : null;
}

/**
 * Whether checkpoint `cp` answers a run of kind `kind` (null: the run has no metric). The SQL
 * function (migrations/0009) decides the same way, down to a `kinds` object lacking a list or
 * `unseen`.
 */
export function checkpointAnswers(
  cp: Pick<CheckpointState, 'at'> & { kinds?: Partial<CheckpointKinds> | null },
  kind: string | null,
): boolean {
  if (cp.at === 0 || cp.kinds === undefined || cp.kinds === null) return true;
  if (kind !== null && (cp.kinds.answers ?? []).includes(kind)) return true;
  if (kind !== null && (cp.kinds.start ?? []).includes(kind)) return false;
  return cp.kinds.unseen ?? true;
}

/** Kind of the meta-learner's `meta_models` state (the policies' stop models have their own). */
export const META_MODEL_KIND = 'relevance-kernel/1';

/**
 * The learned state of a meta-model version (`meta_models.state`), read by the SQL function
 * `curfew_predict_stop`. Only features with a positive weight are listed. History is weighted by
 * how near each past run is, in the task's kind, config and (from its first evals on) the shape
 * of its curve: exp(−(d² − min d²)), so unrelated runs weigh next to nothing.
 */
export interface MetaModelState {
  kind: typeof META_MODEL_KIND;
  /** The refit this version came from (the policies' stop models of the same refit carry it too). */
  fitId?: string | null;
  numeric: NumericFeature[];
  categories: CategoryFeature[];
  /** Squared distance added when one run has a feature and the other has not. */
  missingPenalty: number;
  /** Kernel-weighted mass of the densest run of peak bins whose midpoint is the point prediction. */
  peakMass: number;
  /** One entry per checkpoint, ascending, the first at 0. */
  checkpoints: CheckpointState[];
  /**
   * How well a run will do among its task's runs (its predicted peak rank), with weights of its
   * own: what the scheduler dispatches the most promising runs first by. Absent in older versions.
   */
  outcome?: OutcomeState;
  /** Share of actual peaks the interval was calibrated to cover, leave-one-task-out. */
  coverageTarget: number;
  /** Leave-one-task-out results before a run starts (checkpoint 0). */
  loto: LotoSummary;
  /** Features considered by the fit (including those it gave no weight). */
  considered: string[];
  /** The bounded sample of history the version keeps: at most `perTask` runs of a task, `total` in all. */
  representatives: { perTask: number; total: number; kept: number; of: number };
}

export interface LotoSummary {
  /** Median absolute error of the predicted peak, as a fraction of the budget. */
  medianAbsError: number;
  /** The same for the baseline that predicts the other tasks' median peak fraction. */
  baselineMedianAbsError: number;
  /** Share of actual peaks inside [low, high]. */
  coverage: number;
  /** Median width of [low, high], as a fraction of the budget. */
  medianWidth: number;
  runs: number;
  tasks: number;
}

/** A history run encoded for one state: numeric z-scores and categories, aligned with the state's features. */
export interface EncodedFeatures {
  num: (number | null)[];
  cat: (string | null)[];
}

/** The value a numeric feature takes for `features`, or null when absent (as the SQL function does it). */
export function encodeNumeric(feature: Omit<NumericFeature, 'weight'>, features: RunFeatures): number | null {
  const raw = features[feature.key];
  if (typeof raw !== 'number' || !Number.isFinite(raw)) return null;
  if (feature.log && raw <= 0) return null;
  const v = feature.log ? Math.log(raw) : raw;
  return (v - feature.center) / feature.scale;
}

export function encodeCategory(key: string, features: RunFeatures): string | null {
  const raw = features[key];
  return raw === undefined ? null : String(raw);
}

export function encodeFeatures(
  state: Pick<MetaModelState, 'numeric' | 'categories'>,
  features: RunFeatures,
): EncodedFeatures {
  return {
    num: state.numeric.map((f) => encodeNumeric(f, features)),
    cat: state.categories.map((f) => encodeCategory(f.key, features)),
  };
}
