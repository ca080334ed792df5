// The nested, shuffled replay behind bench/replay-policies.ts: every policy replayed on every
// curve with each task judged by what was learned without its fold, in several run orders and
// worker counts, scored per group and task as ../shared/curves/stopeval.py scores them.
import {
  type AutoSettings,
  type Curve,
  createAutoPolicy,
  DEFAULT_AUTO_SETTINGS,
  historyModels,
  type PolicyOptions,
  type ReplayScope,
  replay,
  replayPolicy,
  type Score,
  type StopModel,
  StopModelTrainer,
  scoreStops,
  shuffledRuns,
} from '@curfew/policies';

/** One replay's outcome for one policy: the score and where every run stopped. */
export interface Replayed {
  score: Score;
  stops: Map<string, number>;
}

export interface Condition {
  /** 0: the file's order; otherwise the seed of a shuffle of each group's runs. */
  seed: number;
  workers: number;
}

/** The kind of a curve, from the name of its metric: the kinds replay-by-kind.ts scores apart. */
export function kindOf(metric: string): string {
  const m = metric.toLowerCase();
  if (/wer|error_rate|cer/.test(m)) return 'WER';
  if (/ssim/.test(m)) return 'SSIM';
  if (/loss|perplexity|ppl/.test(m)) return 'loss';
  return 'accuracy';
}

/** Folds of the outer loop: the same task units and assignment `historyModels` uses. */
export function outerFolds(curves: readonly Curve[]): {
  foldOf: (task: string) => number;
  folds: number;
  modelFor: (task: string) => StopModel | null;
} {
  const trainer = new StopModelTrainer(curves);
  return {
    foldOf: (task) => trainer.foldOf(task) ?? -1,
    folds: trainer.options.folds,
    modelFor: historyModels(curves),
  };
}

export function replayOnce(
  curves: readonly Curve[],
  options: PolicyOptions,
  scope: ReplayScope,
  condition: Condition,
  tolerance: number,
  modelFor: (task: string) => StopModel | null,
): Replayed {
  const order = shuffledRuns(curves, condition.seed);
  const { outcomes, score } = replayPolicy({
    curves: order,
    modelFor,
    options,
    scope,
    workers: condition.workers,
    tolerance,
  });
  return { score, stops: new Map(outcomes.map((o) => [o.id, o.stopIndex])) };
}

/**
 * `auto` with settings other than its defaults, replayed as `replayOnce` replays a policy: each
 * curve judged by its own metric and mode, with the model of history that never saw its fold.
 */
export function replayAutoWith(
  curves: readonly Curve[],
  settings: Partial<AutoSettings>,
  scope: ReplayScope,
  condition: Condition,
  tolerance: number,
  modelFor: (task: string) => StopModel | null,
): Replayed {
  const order = shuffledRuns(curves, condition.seed);
  const outcomes = replay(
    order,
    (c) =>
      createAutoPolicy(
        { name: 'auto', monitor: c.metric, mode: c.mode, tolerance, lr_drop_before_stop: false },
        { id: c.id, budgetTokens: c.budgetTokens, mode: c.mode, metric: c.metric, features: c.features },
        modelFor(c.task),
        { ...DEFAULT_AUTO_SETTINGS, ...settings },
      ),
    { scope, workers: condition.workers },
  );
  const stops = new Map(outcomes.map((o) => [o.id, o.stopIndex]));
  return { score: scoreStops(order, stops, tolerance), stops };
}

/** Where the oracle stops each run: at its (first) best eval, losing nothing. */
export function oracleStops(curves: readonly Curve[]): Map<string, number> {
  return new Map(
    curves.map((c) => {
      const sign = c.mode === 'max' ? 1 : -1;
      let best = 0;
      c.evals.forEach((e, i) => {
        if (sign * e.value > sign * (c.evals[best]?.value as number)) best = i;
      });
      return [c.id, best];
    }),
  );
}

/** A setting of a policy with knobs, its stops on every curve (run scope: order does not matter). */
export interface Candidate {
  label: string;
  stops: Map<string, number>;
}

/**
 * The candidate chosen inside each outer fold (the most tokens saved on the fold's training
 * tasks among those whose mean loss, or regret, stayed within the tolerance there), applied to
 * the fold's own tasks; the stops of all folds together, and the label chosen per fold.
 */
export function chooseInsideFolds(
  curves: readonly Curve[],
  candidates: readonly Candidate[],
  foldOf: (task: string) => number,
  folds: number,
  tolerance: number,
  scope: ReplayScope,
): { stops: Map<string, number>; labels: string[] } {
  const stops = new Map<string, number>();
  const labels: string[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const training = curves.filter((c) => foldOf(c.task) !== fold);
    const held = curves.filter((c) => foldOf(c.task) === fold);
    if (held.length === 0) continue;
    let chosen: { candidate: Candidate; saved: number } | null = null;
    for (const candidate of candidates) {
      const s = scoreStops(training, candidate.stops, tolerance);
      const loss = scope === 'run' ? s.runMeanLoss : s.groupRegret;
      const saved = scope === 'run' ? s.runSaved : s.groupSaved;
      if (loss <= tolerance && (!chosen || saved > chosen.saved)) chosen = { candidate, saved };
    }
    labels.push(chosen?.candidate.label ?? 'none');
    for (const c of held) stops.set(c.id, chosen?.candidate.stops.get(c.id) ?? c.evals.length - 1);
  }
  return { stops, labels };
}

/**
 * Options every replay bench shares: the replay judges each curve by its own metric and mode
 * (the `monitor` and `mode` here are overridden per curve).
 */
export const replayOptions = (tolerance: number) => ({
  monitor: 'em',
  mode: 'max' as const,
  tolerance,
  lr_drop_before_stop: false,
});

/** The policies the replay benches print side by side; `byTolerance`: its options depend on it. */
export const BENCH_POLICIES: {
  label: string;
  options: (t: number) => PolicyOptions;
  byTolerance: boolean;
}[] = [
  { label: 'auto', options: (t) => ({ ...replayOptions(t), name: 'auto' }), byTolerance: true },
  {
    label: 'asha η=3',
    options: (t) => ({ ...replayOptions(t), name: 'asha', reduction_factor: 3 }),
    byTolerance: false,
  },
  {
    label: 'asha η=4',
    options: (t) => ({ ...replayOptions(t), name: 'asha', reduction_factor: 4 }),
    byTolerance: false,
  },
  {
    label: 'median',
    options: (t) => ({ ...replayOptions(t), name: 'median', startup_runs: 5, warmup_evals: 3 }),
    byTolerance: false,
  },
];

/** Patience settings the best one is chosen from, inside the folds. */
export const PATIENCE_GRID = [1, 2, 3, 5, 8, 10, 15, 20, 25, 30, 40].flatMap((patience) =>
  [0, 0.001, 0.005].map((min_delta) => ({ patience, min_delta })),
);
