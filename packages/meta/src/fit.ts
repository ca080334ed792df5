import { candidateFeatures } from './candidates.js';
import type { RunFeatures } from './features.js';
import { type FitContext, fitCheckpoint, runsAt } from './fit-checkpoint.js';
import { median, PEAK_MASS } from './fit-loto.js';
import { fitOutcome } from './fit-outcome.js';
import { type Candidate, featureMatrix, searchWeights, weightedSum } from './fit-search.js';
import type { HistoryRun, RepresentativeRun } from './kernel.js';
import {
  type CheckpointState,
  encodeCategory,
  encodeNumeric,
  META_MODEL_KIND,
  type MetaModelState,
} from './model-state.js';
import { peakRanks } from './outcome.js';
import { CHECKPOINTS, type ShapeEval, shapeAt } from './shape.js';

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
  /** Its peak's place among its task's runs in history (1 the best, 0 the worst): what the outcome model predicts. */
  peakRank: number;
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
  /** Most runs the version keeps in all. @defaultValue 2000 */
  maxRuns?: number;
  /** Most runs the weight search looks at (shared among tasks by the spread of their peaks). @defaultValue 400 */
  maxSearchRuns?: number;
  /** Most runs the outcome model's weight search looks at (per-task balanced). @defaultValue 400 */
  maxOutcomeRuns?: number;
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

/**
 * At most `max` of the runs, a fixed sample by hash of the run id (a balanced sample keeps one
 * run of every task, so it can exceed its bound when history has more tasks than the bound);
 * the runs unchanged when within it, in their order.
 */
function atMost<T extends { runId: string }>(runs: readonly T[], max: number): T[] {
  if (runs.length <= max) return [...runs];
  const kept = new Set(
    [...runs]
      .sort((a, b) => hash(a.runId) - hash(b.runId) || (a.runId < b.runId ? -1 : 1))
      .slice(0, max)
      .map((r) => r.runId),
  );
  return runs.filter((r) => kept.has(r.runId));
}

/** The bounded sample of history a fit keeps (what it needs the evals of). */
export function chooseRepresentatives<T extends { runId: string; task: string }>(
  history: readonly T[],
  options: FitOptions = {},
): T[] {
  return balancedSample(history, options.maxRunsPerTask ?? 60, options.maxRuns ?? 2000);
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
  const ctx = contextOf(reps, options);
  const first = fitCheckpoint(ctx, 0);
  const checkpoints = [
    first.state,
    ...CHECKPOINTS.slice(1).map((_, k) => fitCheckpoint(ctx, k + 1, first.start).state),
  ];
  const { candidates, weights } = ctx;
  // Ranks among all of a task's runs in history, not only the kept ones.
  const allRanks = peakRanks(history);
  const rankOf = new Map(history.map((h, i) => [h.runId, allRanks[i] as number]));
  const ranks = reps.map((r) => rankOf.get(r.runId) ?? 0.5);
  const outcomeSample = atMost(
    balancedSample(
      reps.map((r, i) => ({ runId: r.runId, task: r.task, i })),
      Number.POSITIVE_INFINITY,
      options.maxOutcomeRuns ?? 400,
    ),
    options.maxOutcomeRuns ?? 400,
  ).map((x) => x.i);
  const outcome = fitOutcome(
    candidates,
    outcomeSample,
    Int32Array.from(outcomeSample, (i) => ctx.taskIds[i] as number),
    Float64Array.from(outcomeSample, (i) => ranks[i] as number),
    MISSING_PENALTY,
  );
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
    outcome,
    coverageTarget: ctx.coverageTarget,
    loto: (checkpoints[0] as CheckpointState).loto,
    considered: candidates.flatMap((c) => (c.kind === 'shape' ? [] : [c.feature.key])),
    representatives: {
      perTask: options.maxRunsPerTask ?? 60,
      total: options.maxRuns ?? 2000,
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
    peakRank: ranks[i] as number,
    shapes: ctx.shapes[i] ?? [],
  }));
  return { state, representatives };
}

/** The kept runs' feature values and shapes, and the static weights searched on a sample of them. */
function contextOf(reps: readonly FitRun[], options: FitOptions): FitContext {
  const shapes = reps.map(shapesOf);
  const candidates = candidatesOf(reps);
  const taskCodes = new Map([...new Set(reps.map((r) => r.task))].map((t, i) => [t, i]));
  const taskIds = Int32Array.from(reps, (r) => taskCodes.get(r.task) as number);
  const sample = spreadSample(reps, options.maxSearchRuns ?? 400);
  const ctx: FitContext = {
    features: reps.map((r) => r.features),
    shapes,
    candidates,
    weights: candidates.map(() => 0),
    taskIds,
    tasks: taskCodes.size,
    peaks: Float64Array.from(reps, (r) => r.peakFraction),
    sample,
    sampleBase: new Float64Array(sample.length * sample.length),
    coverageTarget: options.coverageTarget ?? 0.8,
    baseline: baselineError(reps, taskIds),
    missingPenalty: MISSING_PENALTY,
  };
  // Before the run starts: which task and config features make past runs relevant.
  const matrices = candidates.map((c) => featureMatrix(c, sample, MISSING_PENALTY));
  const weights = searchWeights(matrices, runsAt(ctx, sample, 0), ctx.sampleBase);
  return { ...ctx, weights, sampleBase: weightedSum(matrices, weights, ctx.sampleBase.length) };
}

/** Median error of predicting, for each run, the median peak of the other tasks' runs. */
function baselineError(reps: readonly FitRun[], taskIds: Int32Array): number {
  const medians = new Map<number, number>();
  for (const t of new Set(taskIds)) {
    medians.set(t, median(reps.filter((_, i) => taskIds[i] !== t).map((h) => h.peakFraction)));
  }
  return median(reps.map((h, i) => Math.abs((medians.get(taskIds[i] as number) as number) - h.peakFraction)));
}

/** Fewest runs of a task the weight search looks at, however alike its peaks. */
const MIN_SEARCH_RUNS = 3;

/**
 * Indices of at most `max` kept runs for the weight search, each task's share in proportion to
 * how far its runs' peaks lie from their median (mean absolute deviation), at least
 * MIN_SEARCH_RUNS (fewer when history has more tasks than that allows): a task whose runs all
 * peak at the end teaches the weights nothing but not to hurt it, while a task whose peaks spread
 * over the budget is where weights help. With one share for every task, history grown by tasks of
 * the first kind left fewer runs to learn from the second (quicktune: 26 runs a task with the
 * original 15 tasks, 10 with all 37).
 */
export function spreadSample(reps: readonly FitRun[], max: number): number[] {
  const byTask = new Map<string, number[]>();
  reps.forEach((r, i) => {
    const list = byTask.get(r.task);
    if (list) list.push(i);
    else byTask.set(r.task, [i]);
  });
  const spread = new Map(
    [...byTask].map(([task, rows]) => {
      const peaks = rows.map((i) => (reps[i] as FitRun).peakFraction);
      const m = median(peaks);
      return [task, peaks.reduce((s, p) => s + Math.abs(p - m), 0) / peaks.length];
    }),
  );
  const floor = Math.min(MIN_SEARCH_RUNS, Math.floor(max / Math.max(1, byTask.size)));
  const total = [...spread.values()].reduce((s, x) => s + x, 0);
  const free = max - floor * byTask.size;
  const picked = [...byTask].flatMap(([task, rows]) => {
    const share = total > 0 ? (spread.get(task) as number) / total : 1 / byTask.size;
    const quota = Math.max(1, floor + Math.floor(free * share));
    return atMost(
      rows.map((i) => ({ runId: (reps[i] as FitRun).runId, i })),
      quota,
    ).map((x) => x.i);
  });
  // One run of every task can exceed the bound when history has more tasks than it.
  return atMost(
    picked.map((i) => ({ runId: (reps[i] as FitRun).runId, i })),
    max,
  )
    .map((x) => x.i)
    .sort((a, b) => a - b);
}
