// What the fit learns at one checkpoint of the budget: the weights of the curve's shape (on the
// search sample), then, over every kept run, the out-of-fold histograms that the interval masses
// are calibrated on and the leave-one-task-out summary is read from.

import { DEFAULT_RISK_RULE } from '@curfew/policies';
import type { RunFeatures } from './features.js';
import {
  calibrateMass,
  histogramAt,
  type LotoRuns,
  lotoErrors,
  lotoHistogramsByRow,
  median,
  queryRows,
} from './fit-loto.js';
import {
  type Candidate,
  featureMatrix,
  rowDistances,
  SHAPE_WEIGHT_GRID,
  searchWeights,
} from './fit-search.js';
import { binsToInterval, densestBins } from './kernel.js';
import { type CheckpointKinds, type CheckpointState, checkpointAnswers, kindOf } from './model-state.js';
import { CHECKPOINTS, type CurveShape, SHAPE_KEYS } from './shape.js';

/** What every checkpoint's fit shares: the kept runs, their feature values and the static weights. */
export interface FitContext {
  features: readonly RunFeatures[];
  shapes: readonly (CurveShape | null)[][];
  candidates: readonly Candidate[];
  /** Static weights (task kind and config), aligned with `candidates`. */
  weights: readonly number[];
  taskIds: Int32Array;
  tasks: number;
  peaks: Float64Array;
  /** Indices of the runs the weight search looks at. */
  sample: readonly number[];
  /** Static distances between the sample's runs (row-major). */
  sampleBase: Float64Array;
  coverageTarget: number;
  baseline: number;
  missingPenalty: number;
}

/** Runs are calibrated within their family (Mondrian conformal) where history has enough of its tasks. */
export const GROUP_KEY = 'family';
const MIN_GROUP_TASKS = 3;

const groupOf = (features: RunFeatures): string | null => {
  const v = features[GROUP_KEY];
  return v === undefined ? null : String(v);
};

export function runsAt(ctx: FitContext, rows: readonly number[], k: number): LotoRuns {
  return {
    taskIds: Int32Array.from(rows, (i) => ctx.taskIds[i] as number),
    peaks: Float64Array.from(rows, (i) => ctx.peaks[i] as number),
    best: Float64Array.from(rows, (i) => ctx.shapes[i]?.[k]?.bestFraction ?? Number.NaN),
    at: CHECKPOINTS[k] as number,
  };
}

function shapeCandidates(ctx: FitContext, k: number): Candidate[] {
  return SHAPE_KEYS.map((key) => ({
    kind: 'shape',
    values: Float64Array.from(ctx.shapes, (s) => s[k]?.[key] ?? Number.NaN),
  }));
}

/**
 * The interval mass of each family with at least MIN_GROUP_TASKS tasks among the rows `answered`,
 * calibrated on its runs alone.
 */
function calibrateByFamily(
  ctx: FitContext,
  answered: (a: number) => boolean,
  calibrate: (only: (a: number) => boolean) => number,
) {
  const tasksOf = new Map<string, Set<number>>();
  ctx.features.forEach((f, i) => {
    const g = groupOf(f);
    if (g === null || !answered(i)) return;
    const set = tasksOf.get(g) ?? new Set<number>();
    set.add(ctx.taskIds[i] as number);
    tasksOf.set(g, set);
  });
  const out: Record<string, number> = {};
  for (const [g, tasks] of [...tasksOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (tasks.size >= MIN_GROUP_TASKS)
      out[g] = calibrate((a) => answered(a) && groupOf(ctx.features[a] ?? {}) === g);
  }
  return out;
}

/** What checkpoint 0's fit leaves for the later checkpoints to compare with and defer to. */
export interface StartFit {
  histograms: Float64Array;
  /** Each kept run's error before the start (every run is a query at 0). */
  errors: readonly number[];
  /** The interval mass a run gets before the start. */
  massOf: (a: number) => number;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

const kindOfRow = (ctx: FitContext, a: number): string | null => kindOf(ctx.features[a] ?? {});

/**
 * The confidence at which a checkpoint must be better than the start over history's tasks before
 * it answers a kind: the policies' risk rule's.
 */
export const KINDS_CONFIDENCE = DEFAULT_RISK_RULE.confidence;

/** P(X ≥ wins) for X ~ Binomial(n, 1/2): the one-sided sign test's p-value. */
export function signTestP(wins: number, n: number): number {
  if (wins <= 0) return 1;
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let below = 0;
  for (let i = 0; i < wins; i++) {
    below += term;
    term = (term * (n - i)) / (i + 1);
  }
  return Math.max(0, 1 - below);
}

/** -1, 0 or 1: whether `here` is lower than `before` by the median, then the mean on a tie. */
function compareErrors(here: readonly number[], before: readonly number[]): number {
  const [m, m0] = [median(here), median(before)];
  if (m !== m0) return m < m0 ? 1 : -1;
  const [a, a0] = [mean(here), mean(before)];
  return a < a0 ? 1 : a > a0 ? -1 : 0;
}

/**
 * Whether errors `here` beat the same rows' errors `before`, by the median, then the mean: pooled,
 * and over the rows' tasks (`tasks`, aligned) one by one, more of them better than worse at
 * KINDS_CONFIDENCE by a one-sided sign test over the tasks that differ.
 */
export function betterOverTasks(
  here: readonly number[],
  before: readonly number[],
  tasks: readonly number[],
): boolean {
  if (compareErrors(here, before) !== 1) return false;
  const byTask = new Map<number, number[]>();
  tasks.forEach((t, i) => {
    const list = byTask.get(t);
    if (list) list.push(i);
    else byTask.set(t, [i]);
  });
  let wins = 0;
  let differ = 0;
  for (const list of byTask.values()) {
    const c = compareErrors(
      list.map((i) => here[i] as number),
      list.map((i) => before[i] as number),
    );
    if (c !== 0) differ++;
    if (c === 1) wins++;
  }
  return signTestP(wins, differ) <= 1 - KINDS_CONFIDENCE;
}

/**
 * The kinds of run this checkpoint answers for: those whose out-of-fold errors over its query rows
 * are lower here than before the start, on the same rows (the median, then the mean), pooled and
 * task by task: more of history's tasks better than worse, at KINDS_CONFIDENCE by a sign test over
 * the tasks that differ. `unseen` by the same test over all rows. Without the pooled test, history
 * of 37 tasks made accuracy runs' predictions at 10% of the budget worse than before they started;
 * with it alone, still so in some folds (bench/README.md, "Meta-learner"): a pooled median moved
 * by one task's many runs is not evidence that the next task gains.
 */
function kindsAnswered(
  ctx: FitContext,
  rows: readonly number[],
  errors: readonly number[],
  start: StartFit,
): CheckpointKinds {
  // The median error over the kind's query rows, here and before the start (what a user is
  // promised gets no worse once evals arrive); on a tie, the mean: where history already puts
  // every peak right (a loss that falls to the end), a run whose curve turns is still told so.
  const better = (subset: readonly number[]) =>
    betterOverTasks(
      subset.map((i) => errors[i] as number),
      subset.map((i) => start.errors[rows[i] as number] as number),
      subset.map((i) => ctx.taskIds[rows[i] as number] as number),
    );
  const byKind = new Map<string, number[]>();
  rows.forEach((a, i) => {
    const kind = kindOfRow(ctx, a);
    if (kind === null) return;
    const list = byKind.get(kind);
    if (list) list.push(i);
    else byKind.set(kind, [i]);
  });
  const answers: string[] = [];
  const deferred: string[] = [];
  for (const [kind, subset] of [...byKind].sort(([a], [b]) => (a < b ? -1 : 1))) {
    (better(subset) ? answers : deferred).push(kind);
  }
  return { answers, start: deferred, unseen: rows.length > 0 && better(rows.map((_, i) => i)) };
}

/**
 * Shape weights, interval masses and the leave-one-task-out summary at checkpoint `k` (after 0,
 * given checkpoint 0's fit: which kinds it answers for, and the summary of what it answers).
 */
export function fitCheckpoint(
  ctx: FitContext,
  k: number,
  start?: StartFit,
): { state: CheckpointState; start: StartFit } {
  const at = CHECKPOINTS[k] as number;
  if (at > 0 && start === undefined) throw new Error(`fitCheckpoint: checkpoint ${at} needs the fit at 0`);
  const shapes = shapeCandidates(ctx, k);
  const shapeWeights =
    at === 0
      ? SHAPE_KEYS.map(() => 0)
      : searchWeights(
          shapes.map((c) => featureMatrix(c, ctx.sample, ctx.missingPenalty)),
          runsAt(ctx, ctx.sample, k),
          ctx.sampleBase,
          SHAPE_WEIGHT_GRID,
        );
  const n = ctx.peaks.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const rowOf = rowDistances(
    [...ctx.candidates, ...shapes],
    [...ctx.weights, ...shapeWeights],
    n,
    ctx.missingPenalty,
  );
  const runs = runsAt(ctx, all, k);
  const histograms = lotoHistogramsByRow(rowOf, runs);
  const rows = queryRows(runs);
  const errors = lotoErrors(histograms, runs);
  const kinds = start === undefined ? undefined : kindsAnswered(ctx, rows, errors, start);
  const answers = (a: number) => kinds === undefined || checkpointAnswers({ at, kinds }, kindOfRow(ctx, a));
  // Masses are calibrated on the runs the checkpoint answers (on all when it answers none).
  const anyAnswered = rows.some(answers);
  const answered = (a: number) => !anyAnswered || answers(a);
  const intervalMass = calibrateMass(histograms, runs, ctx.coverageTarget, answered);
  const familyMass = calibrateByFamily(ctx, answered, (only) =>
    calibrateMass(histograms, runs, ctx.coverageTarget, only),
  );
  const massOf = (a: number) => {
    const g = groupOf(ctx.features[a] ?? {});
    return g !== null && Object.hasOwn(familyMass, g) ? (familyMass[g] as number) : intervalMass;
  };
  // The summary of the answers given at this checkpoint: checkpoint 0's where it defers.
  const given = rows.map((a, i) =>
    answers(a)
      ? { error: errors[i] as number, histogram: histogramAt(histograms, a), mass: massOf(a) }
      : {
          error: (start as StartFit).errors[a] as number,
          histogram: histogramAt((start as StartFit).histograms, a),
          mass: (start as StartFit).massOf(a),
        },
  );
  let inside = 0;
  const widths = given.map((g, i) => {
    const [low, high] = binsToInterval(densestBins(g.histogram, g.mass));
    const y = ctx.peaks[rows[i] as number] as number;
    if (y >= low && y <= high) inside++;
    return high - low;
  });
  const state: CheckpointState = {
    at,
    shapeWeights,
    intervalMass,
    familyMass,
    ...(kinds === undefined ? {} : { kinds }),
    loto: {
      medianAbsError: median(given.map((g) => g.error)),
      baselineMedianAbsError: ctx.baseline,
      coverage: inside / Math.max(1, rows.length),
      medianWidth: median(widths),
      runs: rows.length,
      tasks: ctx.tasks,
    },
  };
  return { state, start: start ?? { histograms, errors, massOf } };
}
