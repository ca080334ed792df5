import { candidateFeatures } from './candidates.js';
import type { RunFeatures } from './features.js';
import {
  calibrateMass,
  intervalStats,
  type LotoRuns,
  lotoErrors,
  lotoHistograms,
  median,
  PEAK_MASS,
} from './fit-loto.js';
import {
  type Candidate,
  featureMatrix,
  SHAPE_WEIGHT_GRID,
  searchWeights,
  weightedSum,
} from './fit-search.js';
import type { HistoryRun, RepresentativeRun } from './kernel.js';
import {
  type CheckpointState,
  encodeCategory,
  encodeNumeric,
  type LotoSummary,
  META_MODEL_KIND,
  type MetaModelState,
} from './model-state.js';
import { CHECKPOINTS, SHAPE_KEYS, type ShapeEval, shapeAt } from './shape.js';

/** A finished past run with its features and, for curve-shape relevance, its evals. */
export interface FitRun extends HistoryRun {
  features: RunFeatures;
  mode?: 'max' | 'min';
  budgetTokens?: number;
  evals?: readonly ShapeEval[];
}

/** A representative as the version stores it: its shapes at the checkpoints and its features. */
export interface FittedRun extends RepresentativeRun {
  features: RunFeatures;
}

export interface FitOptions {
  /**
   * Share of actual peaks the interval should cover on tasks it never saw (leave-one-task-out,
   * each task weighing the same).
   * @defaultValue 0.8
   */
  coverageTarget?: number;
  /** Most runs of one task the version keeps (a fixed sample by run id). @defaultValue 60 */
  maxRunsPerTask?: number;
  /** Most runs the version keeps in all. @defaultValue 4000 */
  maxRuns?: number;
  /** Most runs the weight search looks at (per-task balanced). @defaultValue 400 */
  maxSearchRuns?: number;
}

export class MetaFitError extends Error {
  override readonly name = 'MetaFitError';
}

export const MISSING_PENALTY = 4;

/** FNV-1a, for a sample that does not depend on the order runs were read in, nor on their outcomes. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Up to `perTask` runs of every task (by hash of the run id), at most `max` in all; sorted by run id. */
export function balancedSample<T extends { runId: string; task: string }>(
  runs: readonly T[],
  perTask: number,
  max: number,
): T[] {
  const byTask = new Map<string, T[]>();
  for (const r of runs) {
    const list = byTask.get(r.task);
    if (list) list.push(r);
    else byTask.set(r.task, [r]);
  }
  const each = Math.max(1, Math.min(perTask, Math.floor(max / Math.max(1, byTask.size))));
  const picked = [...byTask.values()].flatMap((list) =>
    list.sort((a, b) => hash(a.runId) - hash(b.runId) || (a.runId < b.runId ? -1 : 1)).slice(0, each),
  );
  return picked.sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
}

/** The bounded sample of history a fit keeps (what it needs the evals of). */
export function chooseRepresentatives<T extends { runId: string; task: string }>(
  history: readonly T[],
  options: FitOptions = {},
): T[] {
  return balancedSample(history, options.maxRunsPerTask ?? 60, options.maxRuns ?? 4000);
}

function candidatesOf(runs: readonly FitRun[]): Candidate[] {
  const { numeric, categories } = candidateFeatures(runs.map((h) => h.features));
  return [
    ...numeric.map(
      (feature): Candidate => ({
        kind: 'num',
        feature,
        values: Float64Array.from(runs, (h) => encodeNumeric(feature, h.features) ?? Number.NaN),
      }),
    ),
    ...categories.map((feature): Candidate => {
      const codes = new Map<string, number>();
      const values = Int32Array.from(runs, (h) => {
        const v = encodeCategory(feature.key, h.features);
        if (v === null) return -1;
        if (!codes.has(v)) codes.set(v, codes.size);
        return codes.get(v) as number;
      });
      return { kind: 'cat', feature, values };
    }),
  ];
}

function shapesOf(run: FitRun) {
  const evals = run.evals ?? [];
  const budget = run.budgetTokens ?? 0;
  return CHECKPOINTS.map((at) => shapeAt(evals, budget, run.mode ?? 'max', at));
}

/**
 * Learns which past runs speak for a new one, from history alone. A bounded sample of history is
 * kept (at most `maxRunsPerTask` per task). Before a run starts, a coordinate search over feature
 * weights (task kind, family, model, data size, config) keeps a change only when it lowers the
 * leave-one-task-out error of the predicted peak; at each checkpoint of the budget, a second
 * search weighs the shape of the curve so far. Interval masses are calibrated per checkpoint on
 * the out-of-fold predictions, tasks held out one at a time.
 */
export function fitState(
  history: readonly FitRun[],
  options: FitOptions & { historyRuns?: number } = {},
): { state: MetaModelState; representatives: FittedRun[] } {
  const tasks = new Set(history.map((h) => h.task));
  if (tasks.size < 2) {
    throw new MetaFitError(
      `the meta-learner needs finished runs of at least 2 tasks to learn across tasks, got ${tasks.size}`,
    );
  }
  const reps = chooseRepresentatives(history, options);
  const shapes = reps.map(shapesOf);
  const candidates = candidatesOf(reps);
  const taskCodes = new Map([...new Set(reps.map((r) => r.task))].map((t, i) => [t, i]));
  const taskIds = Int32Array.from(reps, (r) => taskCodes.get(r.task) as number);
  const peaks = Float64Array.from(reps, (r) => r.peakFraction);
  const sample = balancedSample(
    reps.map((r, i) => ({ runId: r.runId, task: r.task, i })),
    Number.POSITIVE_INFINITY,
    options.maxSearchRuns ?? 400,
  ).map((s) => s.i);
  const runsAt = (rows: readonly number[], k: number): LotoRuns => ({
    taskIds: Int32Array.from(rows, (i) => taskIds[i] as number),
    peaks: Float64Array.from(rows, (i) => peaks[i] as number),
    best: Float64Array.from(rows, (i) => shapes[i]?.[k]?.bestFraction ?? Number.NaN),
    at: CHECKPOINTS[k] as number,
  });
  const shapeCandidates = (k: number): Candidate[] =>
    SHAPE_KEYS.map((key) => ({
      kind: 'shape',
      values: Float64Array.from(shapes, (s) => s[k]?.[key] ?? Number.NaN),
    }));
  // Before the run starts: which task and config features make past runs relevant.
  const sampleMatrices = candidates.map((c) => featureMatrix(c, sample, MISSING_PENALTY));
  const size = sample.length * sample.length;
  const weights = searchWeights(sampleMatrices, runsAt(sample, 0), new Float64Array(size));
  const sampleBase = weightedSum(sampleMatrices, weights, size);
  const all = reps.map((_, i) => i);
  const base = weightedSum(
    candidates.map((c, k) =>
      (weights[k] as number) > 0 ? featureMatrix(c, all, MISSING_PENALTY) : new Float32Array(0),
    ),
    weights,
    all.length * all.length,
  );
  const coverageTarget = options.coverageTarget ?? 0.8;
  const baseline = baselineError(reps, taskIds);
  const checkpoints: CheckpointState[] = CHECKPOINTS.map((at, k) => {
    const shapeWeights =
      at === 0
        ? SHAPE_KEYS.map(() => 0)
        : searchWeights(
            shapeCandidates(k).map((c) => featureMatrix(c, sample, MISSING_PENALTY)),
            runsAt(sample, k),
            sampleBase,
            SHAPE_WEIGHT_GRID,
          );
    const d = weightedSum(
      shapeCandidates(k).map((c, j) =>
        (shapeWeights[j] as number) > 0 ? featureMatrix(c, all, MISSING_PENALTY) : new Float32Array(0),
      ),
      shapeWeights,
      all.length * all.length,
      base,
    );
    const runs = runsAt(all, k);
    const histograms = lotoHistograms(d, runs);
    const intervalMass = calibrateMass(histograms, runs, coverageTarget);
    const familyMass = calibrateByFamily(reps, taskIds, (only) =>
      calibrateMass(histograms, runs, coverageTarget, only),
    );
    const stats = intervalStats(histograms, runs, (a) => {
      const g = groupOf(reps[a] as FitRun);
      return g !== null && Object.hasOwn(familyMass, g) ? (familyMass[g] as number) : intervalMass;
    });
    const loto: LotoSummary = {
      medianAbsError: median(lotoErrors(histograms, runs)),
      baselineMedianAbsError: baseline,
      coverage: stats.coverage,
      medianWidth: stats.medianWidth,
      runs: stats.runs,
      tasks: taskCodes.size,
    };
    return { at, shapeWeights, intervalMass, familyMass, loto };
  });
  const state: MetaModelState = {
    kind: META_MODEL_KIND,
    numeric: candidates.flatMap((c, k) =>
      c.kind === 'num' && (weights[k] as number) > 0 ? [{ ...c.feature, weight: weights[k] as number }] : [],
    ),
    categories: candidates.flatMap((c, k) =>
      c.kind === 'cat' && (weights[k] as number) > 0 ? [{ ...c.feature, weight: weights[k] as number }] : [],
    ),
    missingPenalty: MISSING_PENALTY,
    peakMass: PEAK_MASS,
    checkpoints,
    coverageTarget,
    loto: (checkpoints[0] as CheckpointState).loto,
    considered: candidates.flatMap((c) => (c.kind === 'shape' ? [] : [c.feature.key])),
    representatives: {
      perTask: options.maxRunsPerTask ?? 60,
      total: options.maxRuns ?? 4000,
      kept: reps.length,
      of: options.historyRuns ?? history.length,
    },
  };
  const representatives = reps.map((r, i) => ({
    runId: r.runId,
    task: r.task,
    peakFraction: r.peakFraction,
    peakValue: r.peakValue,
    finalValue: r.finalValue,
    features: r.features,
    shapes: shapes[i] ?? [],
  }));
  return { state, representatives };
}

/** Runs are calibrated within their family (Mondrian conformal) where history has enough of its tasks. */
export const GROUP_KEY = 'family';
const MIN_GROUP_TASKS = 3;

const groupOf = (run: { features: RunFeatures }): string | null => {
  const v = run.features[GROUP_KEY];
  return v === undefined ? null : String(v);
};

/** The interval mass of each family with at least MIN_GROUP_TASKS tasks, calibrated on its runs alone. */
function calibrateByFamily(
  reps: readonly FitRun[],
  taskIds: Int32Array,
  calibrate: (only: (a: number) => boolean) => number,
): Record<string, number> {
  const tasksOf = new Map<string, Set<number>>();
  reps.forEach((r, i) => {
    const g = groupOf(r);
    if (g === null) return;
    const set = tasksOf.get(g) ?? new Set<number>();
    set.add(taskIds[i] as number);
    tasksOf.set(g, set);
  });
  const out: Record<string, number> = {};
  for (const [g, tasks] of [...tasksOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (tasks.size >= MIN_GROUP_TASKS) out[g] = calibrate((a) => groupOf(reps[a] as FitRun) === g);
  }
  return out;
}

/** Median error of predicting, for each run, the median peak of the other tasks' runs. */
function baselineError(reps: readonly FitRun[], taskIds: Int32Array): number {
  const medians = new Map<number, number>();
  for (const t of new Set(taskIds)) {
    medians.set(t, median(reps.filter((_, i) => taskIds[i] !== t).map((h) => h.peakFraction)));
  }
  return median(reps.map((h, i) => Math.abs((medians.get(taskIds[i] as number) as number) - h.peakFraction)));
}
