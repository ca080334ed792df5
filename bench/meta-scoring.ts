// What the meta-learner benches share: a curve's actual peak, the kind of curve its metric makes
// it, a run's evals at a checkpoint, the in-memory fit and prediction (the mirror of
// curfew_predict_stop) and pooled summaries of scored predictions.
import {
  checkpointOf,
  chooseRepresentatives,
  encodeFeatures,
  type FitRun,
  fitState,
  predictKernel,
  type RunFeatures,
  kindOf as runKind,
  shapeAt,
} from '@curfew/meta';
import type { Curve } from '@curfew/policies';

/** The first best eval: its index and value. */
export function peakOf(c: Curve): { index: number; value: number } {
  let best = 0;
  c.evals.forEach((e, i) => {
    const b = c.evals[best]?.value as number;
    if (c.mode === 'max' ? e.value > b : e.value < b) best = i;
  });
  return { index: best, value: c.evals[best]?.value as number };
}

/** Tokens of the first best eval over the budget: what the meta-learner predicts. */
export function peakFraction(c: Curve): number {
  return Math.min(1, Math.max(0, (c.evals[peakOf(c).index]?.tokens ?? 0) / c.budgetTokens));
}

/** A curve as the fit takes it (what readHistory makes of a stored run). */
export function fitRunOf(c: Curve, features: RunFeatures): FitRun {
  const peak = peakOf(c);
  return {
    runId: c.id,
    task: c.task,
    peakFraction: peakFraction(c),
    peakValue: peak.value,
    finalValue: c.evals.at(-1)?.value ?? peak.value,
    features,
    mode: c.mode,
    budgetTokens: c.budgetTokens,
    evals: c.evals,
  };
}

/** The kind of curve, by its metric's name: accuracy, loss, wer, ssim (else the name itself). */
export function kindOf(metric: string): string {
  const m = metric.toLowerCase();
  if (/loss/.test(m)) return 'loss';
  if (/wer/.test(m)) return 'wer';
  if (/ssim/.test(m)) return 'ssim';
  if (/acc|top1/.test(m)) return 'accuracy';
  return m;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** One prediction for one held-out run at one point of its budget. */
export interface Scored {
  scenario: string;
  task: string;
  /** The scored run's id: pairs a run's predictions under two histories. */
  run: string;
  kind: string;
  /** Share of the budget whose evals the prediction was given (0: before the run started). */
  upTo: number;
  error: number;
  baselineError: number;
  inside: boolean;
  width: number;
}

export interface KindSummary {
  kind: string;
  runs: number;
  baseline: number;
  /** Median error, coverage and median width at each of the checkpoints given. */
  errors: number[];
  coverage: number[];
  widths: number[];
}

/** Per kind of curve (then all kinds pooled): medians and coverage at each checkpoint. */
export function summarise(scored: readonly Scored[], checkpoints: readonly number[]): KindSummary[] {
  const kinds = [...new Set(scored.map((s) => s.kind))].sort();
  return [...kinds, 'all'].map((kind) => {
    const of = scored.filter((s) => kind === 'all' || s.kind === kind);
    const at = checkpoints.map((c) => of.filter((s) => s.upTo === c));
    return {
      kind,
      runs: at[0]?.length ?? 0,
      baseline: median((at[0] ?? []).map((s) => s.baselineError)),
      errors: at.map((xs) => median(xs.map((s) => s.error))),
      coverage: at.map((xs) => xs.filter((s) => s.inside).length / Math.max(1, xs.length)),
      widths: at.map((xs) => median(xs.map((s) => s.width))),
    };
  });
}

/** How far `error` is below `reference`, as a percentage; "-" when the reference is already 0. */
export function below(error: number, reference: number): string {
  return reference > 0 ? `${(100 * (1 - error / reference)).toFixed(1)}%` : '-';
}

/**
 * The change of the median error from `before` to `after` (errors of the same runs, paired by
 * index) with a percentile interval of `level` over `draws` paired bootstrap resamples of the
 * runs: how much of a task's change is its few runs' noise.
 */
export function pairedMedianChange(
  before: readonly number[],
  after: readonly number[],
  uniform: () => number,
  draws = 2000,
  level = 0.9,
): { change: number; low: number; high: number } {
  if (before.length !== after.length || before.length === 0)
    throw new Error(`pairedMedianChange: ${before.length} errors before against ${after.length} after`);
  const n = before.length;
  const changes: number[] = [];
  const b: number[] = new Array(n);
  const a: number[] = new Array(n);
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(uniform() * n);
      b[i] = before[k] as number;
      a[i] = after[k] as number;
    }
    changes.push(median(a) - median(b));
  }
  changes.sort((x, y) => x - y);
  const at = (q: number) => changes[Math.min(draws - 1, Math.max(0, Math.floor(q * draws)))] as number;
  return { change: median(after) - median(before), low: at((1 - level) / 2), high: at((1 + level) / 2) };
}

/**
 * How far the pooled median `error` lies below the pooled median `reference` (a share), with the
 * median and a percentile interval of `level` over `draws` bootstrap resamples of the tasks (each
 * drawn task brings all its rows): tasks, not runs, are what a new task is drawn like. Draws whose
 * reference median is 0 have no share and are left out (and counted).
 */
export function taskBootstrapBelow(
  rows: readonly { task: string; error: number; reference: number }[],
  uniform: () => number,
  draws = 2000,
  level = 0.9,
): { below: number; low: number; median: number; high: number; skipped: number } {
  const byTask = new Map<string, { error: number; reference: number }[]>();
  for (const r of rows) byTask.set(r.task, [...(byTask.get(r.task) ?? []), r]);
  const tasks = [...byTask.values()];
  if (tasks.length === 0) throw new Error('taskBootstrapBelow: no rows');
  const share = (list: readonly { error: number; reference: number }[]) =>
    1 - median(list.map((r) => r.error)) / median(list.map((r) => r.reference));
  const shares: number[] = [];
  let skipped = 0;
  for (let d = 0; d < draws; d++) {
    const drawn = Array.from(
      { length: tasks.length },
      () => tasks[Math.floor(uniform() * tasks.length)] ?? [],
    );
    const x = share(drawn.flat());
    if (Number.isFinite(x)) shares.push(x);
    else skipped++;
  }
  if (shares.length === 0) throw new Error('taskBootstrapBelow: every draw has a zero reference');
  shares.sort((x, y) => x - y);
  const n = shares.length;
  const at = (q: number) => shares[Math.min(n - 1, Math.max(0, Math.floor(q * n)))] as number;
  return {
    below: share(rows),
    low: at((1 - level) / 2),
    median: median(shares),
    high: at((1 + level) / 2),
    skipped,
  };
}

/**
 * A run's evals once it has trained `upTo` of its budget: up to and including its first eval at
 * or past that point (none before it starts). Evals land on a grid that can fall short of a
 * checkpoint (quicktune's last eval by 10% is at 0.075–0.09999 of the budget), and the
 * meta-learner's checkpoint is the last one the evals have reached (`checkpointOf`): the evals up
 * to 10% alone would be predicted at the 5% checkpoint.
 */
export function evalsUpTo(c: Curve, upTo: number): Curve['evals'] {
  if (!(upTo > 0)) return [];
  // The same tolerance as checkpointOf's (FRACTION_EPSILON, on fractions of the budget).
  const reached = c.evals.findIndex((e) => e.tokens / c.budgetTokens >= upTo - 1e-9);
  return reached < 0 ? c.evals : c.evals.slice(0, reached + 1);
}

/** A peak prediction: its midpoint and 80% interval, fractions of the budget. */
export interface PeakPrediction {
  peakFraction: number;
  lowFraction: number;
  highFraction: number;
}

/**
 * Fits the meta-learner in memory on `history` (fitState) and returns its predictor: a run's
 * peak given its features and its evals so far, as predictKernel (the TypeScript mirror of
 * curfew_predict_stop) gives it; null where history weighs nothing.
 */
export function kernelPredictor(
  history: readonly Curve[],
  featuresOf: (c: Curve) => RunFeatures,
): (c: Curve, evals: Curve['evals']) => PeakPrediction | null {
  const { state, representatives } = fitState(
    chooseRepresentatives(history.map((c) => fitRunOf(c, featuresOf(c)))),
  );
  const encoded = representatives.map((r) => encodeFeatures(state, r.features));
  return (c, evals) => {
    const f = featuresOf(c);
    const checkpoint = checkpointOf(evals, c.budgetTokens);
    const p = predictKernel(state, representatives, encoded, {
      encoded: encodeFeatures(state, f),
      family: typeof f.family === 'string' ? f.family : null,
      kind: runKind(f),
      checkpoint,
      shape: shapeAt(evals, c.budgetTokens, c.mode, checkpoint),
    });
    return p ? { peakFraction: p.peakFraction, lowFraction: p.low, highFraction: p.high } : null;
  };
}
