// Could the meta-learner's predicted peak serve `auto` as a prior for a run judged alone (issue 13:
// "auto may use the predicted peak as a prior"; issue 12: run scope on accuracy curves saves 7.6/
// 14.1/20.2% at 0.002/0.005/0.01 against the 21.1% it needs)? On the accuracy dev curves, each run's
// peak is predicted (before it starts, and at 10% of the budget: its evals up to its first at or
// past 10%, `evalsUpTo`) by the meta-learner fitted in memory (`fitState`, `predictKernel`, the
// mirror of curfew_predict_stop) without the run's outer fold, the folds `auto`'s models are fitted
// in. The remaining-gain bound (`remainingGainStops`, every window × noise × threshold of auto's
// grid) is then given the prior in two ways:
// - "bold from P on": the bound's bold setting may stop a run only once its progress has reached P
//   (the predicted low end, midpoint or high end of the 80% interval); the default bound (window
//   0.2, 2σ, threshold = tolerance) may stop it at any point;
// - "bold if the midpoint ≤ x": the bold setting only for runs predicted to peak early (with the
//   prediction at 10%, from 10% on), the default for the others.
// For each variant and tolerance the bench prints the most tokens saved with a mean task loss
// within the tolerance, the bold setting chosen on the very curves it is scored on (P, x and the
// default fixed): an upper bound for that variant at one setting for every task, not a result.
// Where several settings tie, it says how many.
//
//   nice -n 10 npx tsx bench/peak-prior.ts [CURVES.jsonl...]   (default: ../shared/curves/dev/*.jsonl; 1–2 min)
import { curvesFeatures } from '@curfew/meta';
import {
  BOUND_NOISES,
  BOUND_THRESHOLDS,
  BOUND_WINDOWS,
  type Curve,
  DEFAULT_REMAINING_GAIN,
  remainingGainStops,
} from '@curfew/policies';
import { hostLine, percent, printTable } from './bench-support';
import { benchCurves } from './curve-files';
import { evalsUpTo, kernelPredictor, peakFraction } from './meta-scoring';
import { kindOf, outerFolds } from './nested-replay';

const TOLERANCES = [0.002, 0.005, 0.01, 0.02];
const started = Date.now();
const curves: Curve[] = benchCurves('peak-prior.ts', process.argv.slice(2));
const { foldOf, folds } = outerFolds(curves);
const features = new Map(curvesFeatures(curves).map((f, i) => [curves[i]?.id as string, f]));
const accuracy = curves.filter((c) => kindOf(c.metric) === 'accuracy');

interface Interval {
  mid: number;
  low: number;
  high: number;
}
const before = new Map<string, Interval>();
const at10 = new Map<string, Interval>();
for (let fold = 0; fold < folds; fold++) {
  const predict = kernelPredictor(
    curves.filter((c) => foldOf(c.task) !== fold),
    (c) => features.get(c.id) ?? {},
  );
  for (const c of accuracy.filter((x) => foldOf(x.task) === fold)) {
    for (const [upTo, into] of [
      [0, before],
      [0.1, at10],
    ] as const) {
      const p = predict(c, evalsUpTo(c, upTo));
      if (!p) throw new Error(`peak-prior: no prediction for ${c.id}`);
      into.set(c.id, { mid: p.peakFraction, low: p.lowFraction, high: p.highFraction });
    }
  }
}
const predictedMs = Date.now() - started;

const windows = [...BOUND_WINDOWS];
const noises = [...BOUND_NOISES];
const thresholds = [...BOUND_THRESHOLDS];
const runs = accuracy.map((c) => ({
  c,
  stops: remainingGainStops(c, windows, noises, thresholds),
  before: before.get(c.id) as Interval,
  at10: at10.get(c.id) as Interval,
}));
type Run = (typeof runs)[number];

/** The first eval at or past a fraction of the budget (the last eval if none). */
function evalAt(c: Curve, fraction: number): number {
  const i = c.evals.findIndex((e) => e.tokens >= fraction * c.budgetTokens);
  return i < 0 ? c.evals.length - 1 : i;
}

/** Tokens saved and mean loss, macro-averaged over tasks as scoreStops does. */
function score(stopOf: (r: Run) => number): { saved: number; loss: number; over: (t: number) => number } {
  const tasks = new Map<string, { used: number; full: number; losses: number[] }>();
  for (const r of runs) {
    const { c } = r;
    const k = stopOf(r);
    const sign = c.mode === 'max' ? 1 : -1;
    let best = Number.NEGATIVE_INFINITY;
    let deployed = Number.NEGATIVE_INFINITY;
    c.evals.forEach((e, i) => {
      best = Math.max(best, sign * e.value);
      if (i <= k) deployed = Math.max(deployed, sign * e.value);
    });
    const t = tasks.get(c.task) ?? { used: 0, full: 0, losses: [] };
    t.used += c.evals[k]?.tokens ?? 0;
    t.full += c.evals.at(-1)?.tokens ?? 0;
    t.losses.push(best - deployed);
    tasks.set(c.task, t);
  }
  const per = [...tasks.values()].map((t) => ({
    saved: 1 - t.used / t.full,
    loss: t.losses.reduce((a, b) => a + b, 0) / t.losses.length,
  }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    saved: mean(per.map((t) => t.saved)),
    loss: mean(per.map((t) => t.loss)),
    over: (tol) => per.filter((t) => t.loss > tol * (1 + 1e-9)).length,
  };
}

/** How a variant combines the bold setting's stop with the default's for one run. */
type Combine = (r: Run, bold: number, byDefault: number) => number;
const boldFrom =
  (point: (r: Run) => number): Combine =>
  (r, bold, byDefault) =>
    Math.min(byDefault, Math.max(bold, evalAt(r.c, point(r))));
/** `from`: the budget fraction at which the prediction is known (0.1 for the one at 10%). */
const boldIf =
  (early: (r: Run) => boolean, from = 0): Combine =>
  (r, bold, byDefault) =>
    early(r) ? Math.min(byDefault, Math.max(bold, evalAt(r.c, from))) : byDefault;
const VARIANTS: { label: string; combine: Combine }[] = [
  { label: 'the bound alone (no prior)', combine: (_r, bold) => bold },
  { label: 'bold from the predicted low end on', combine: boldFrom((r) => r.before.low) },
  { label: 'bold from the predicted peak on', combine: boldFrom((r) => r.before.mid) },
  { label: 'bold from the predicted high end on', combine: boldFrom((r) => r.before.high) },
  { label: "bold from the 10% prediction's peak on", combine: boldFrom((r) => Math.max(0.1, r.at10.mid)) },
  { label: 'bold if the predicted peak ≤ 0.5', combine: boldIf((r) => r.before.mid <= 0.5) },
  { label: 'bold if the predicted peak ≤ 0.8', combine: boldIf((r) => r.before.mid <= 0.8) },
  { label: 'bold if the 10% prediction ≤ 0.5', combine: boldIf((r) => r.at10.mid <= 0.5, 0.1) },
];

const tasks = new Set(accuracy.map((c) => c.task)).size;
console.log(
  `${accuracy.length} accuracy runs in ${tasks} tasks, ${folds} outer folds; curves read, ${folds} folds fitted and every run predicted in ${(predictedMs / 1000).toFixed(1)} s; ${hostLine()}`,
);
const defaultWindow = windows.indexOf(DEFAULT_REMAINING_GAIN.window);
const defaultNoise = noises.indexOf(DEFAULT_REMAINING_GAIN.noise);
const rows: string[][] = [];
for (const tolerance of TOLERANCES) {
  const defaultThreshold = thresholds.indexOf(tolerance * DEFAULT_REMAINING_GAIN.shareOfTolerance);
  if (defaultWindow < 0 || defaultNoise < 0 || defaultThreshold < 0)
    throw new Error("peak-prior: the default bound's setting is not in auto's grid");
  for (const v of VARIANTS) {
    let best = { tied: 0, saved: -1, loss: 0, over: 0, setting: 'none within the tolerance' };
    windows.forEach((w, wi) => {
      noises.forEach((k, ki) => {
        thresholds.forEach((theta, ti) => {
          const s = score((r) =>
            v.combine(
              r,
              r.stops[wi]?.[ki]?.[ti] as number,
              r.stops[defaultWindow]?.[defaultNoise]?.[defaultThreshold] as number,
            ),
          );
          if (!(s.loss <= tolerance * (1 + 1e-9))) return;
          if (Math.abs(s.saved - best.saved) <= 1e-12) best.tied += 1;
          else if (s.saved > best.saved)
            best = {
              tied: 1,
              saved: s.saved,
              loss: s.loss,
              over: s.over(tolerance),
              setting: `${w}, ${k}σ, θ ${theta}`,
            };
        });
      });
    });
    rows.push([
      String(tolerance),
      v.label,
      best.saved < 0 ? '-' : percent(best.saved),
      best.loss.toFixed(4),
      `${best.over} of ${tasks}`,
      best.tied > 1 ? `any of ${best.tied} (e.g. ${best.setting})` : best.setting,
    ]);
  }
}
printTable(['tolerance', 'variant', 'saved (upper bound)', 'mean loss', 'tasks > tol', 'bold setting'], rows);

const quantiles = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return [0, 0.1, 0.25, 0.5, 0.75, 0.9]
    .map((p) => (s[Math.floor(p * (s.length - 1))] ?? 0).toFixed(3))
    .join(' / ');
};
console.log(
  '\nwhere the accuracy runs peak, fraction of the budget (min / 10th / 25th / median / 75th / 90th percentile):',
);
printTable(
  ['', 'quantiles'],
  [
    ['actual peak', quantiles(accuracy.map(peakFraction))],
    ['predicted before start: peak', quantiles([...before.values()].map((p) => p.mid))],
    ['predicted before start: low end', quantiles([...before.values()].map((p) => p.low))],
    ['predicted before start: high end', quantiles([...before.values()].map((p) => p.high))],
    ['predicted at 10%: peak', quantiles([...at10.values()].map((p) => p.mid))],
  ],
);
const share = (f: (r: Run) => boolean) => `${runs.filter(f).length} of ${runs.length}`;
console.log(
  `runs predicted to peak by 0.5 / by 0.8 of the budget: ${share((r) => r.before.mid <= 0.5)} / ${share((r) => r.before.mid <= 0.8)} before start, ` +
    `${share((r) => r.at10.mid <= 0.5)} / ${share((r) => r.at10.mid <= 0.8)} at 10%; the 10% prediction differs from the one before start on ` +
    `${share((r) => r.at10.mid !== r.before.mid)} runs`,
);
console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s in all`);
