// What the fit learns at one checkpoint of the budget: the weights of the curve's shape (on the
// search sample), then, over every kept run, the out-of-fold histograms that the interval masses
// are calibrated on and the leave-one-task-out summary is read from.

import type { RunFeatures } from './features.js';
import {
  calibrateMass,
  intervalStats,
  type LotoRuns,
  lotoErrors,
  lotoHistogramsByRow,
  median,
} from './fit-loto.js';
import {
  type Candidate,
  featureMatrix,
  rowDistances,
  SHAPE_WEIGHT_GRID,
  searchWeights,
} from './fit-search.js';
import type { CheckpointState } from './model-state.js';
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

/** The interval mass of each family with at least MIN_GROUP_TASKS tasks, calibrated on its runs alone. */
function calibrateByFamily(ctx: FitContext, calibrate: (only: (a: number) => boolean) => number) {
  const tasksOf = new Map<string, Set<number>>();
  ctx.features.forEach((f, i) => {
    const g = groupOf(f);
    if (g === null) return;
    const set = tasksOf.get(g) ?? new Set<number>();
    set.add(ctx.taskIds[i] as number);
    tasksOf.set(g, set);
  });
  const out: Record<string, number> = {};
  for (const [g, tasks] of [...tasksOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (tasks.size >= MIN_GROUP_TASKS) out[g] = calibrate((a) => groupOf(ctx.features[a] ?? {}) === g);
  }
  return out;
}

/** Shape weights, interval masses and the leave-one-task-out summary at checkpoint `k`. */
export function fitCheckpoint(ctx: FitContext, k: number): CheckpointState {
  const at = CHECKPOINTS[k] as number;
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
  const intervalMass = calibrateMass(histograms, runs, ctx.coverageTarget);
  const familyMass = calibrateByFamily(ctx, (only) =>
    calibrateMass(histograms, runs, ctx.coverageTarget, only),
  );
  const stats = intervalStats(histograms, runs, (a) => {
    const g = groupOf(ctx.features[a] ?? {});
    return g !== null && Object.hasOwn(familyMass, g) ? (familyMass[g] as number) : intervalMass;
  });
  return {
    at,
    shapeWeights,
    intervalMass,
    familyMass,
    loto: {
      medianAbsError: median(lotoErrors(histograms, runs)),
      baselineMedianAbsError: ctx.baseline,
      coverage: stats.coverage,
      medianWidth: stats.medianWidth,
      runs: stats.runs,
      tasks: ctx.tasks,
    },
  };
}
