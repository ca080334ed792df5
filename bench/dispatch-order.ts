// Dispatch by predicted outcome against file order, side by side in one run (issue 13): each
// experiment (curve group) replayed at experiment scope with its runs taken in the file's order,
// in three seeded shuffles of it (what an arbitrary order does), in the order the meta-learner
// predicts best first, and, as a ceiling, in the order of their actual peaks. Nothing is chosen by looking at a held-out task: every task's runs are predicted
// by a meta-model fitted (fitState, the scheduler's fit) on the other outer folds' tasks only (the
// five folds by task unit that auto's stop models are fitted on, so a task's related tasks are
// held out with it), through predictKernel, the TypeScript mirror of curfew_predict_stop that
// meta-model.int.test.ts checks against the SQL function. The order is by the outcome model's
// predicted rank of the run among its task's runs (best first), ties in file order, which is what
// the scheduler does.
//
//   nice -n 10 npx tsx bench/dispatch-order.ts [CURVES.jsonl...]
//
// Prints, per policy (auto, asha η=3), tolerance (0.002, 0.005, 0.01, 0.02) and worker count
// (1, 8, 32): experiment-scope tokens saved, mean regret, the worst group's regret and the share of
// groups over the tolerance, for each order (shuffles: the mean over seeds, the worst of them).
import {
  curvesFeatures,
  encodeFeatures,
  encodeOutcome,
  fitState,
  predictKernel,
  predictOutcome,
  type RunFeatures,
  spearman,
} from '@curfew/meta';
import type { Curve, Score } from '@curfew/policies';
import { hostLine, printTable } from './bench-support';
import { benchCurves } from './curve-files';
import { fitRunOf, peakOf } from './meta-scoring';
import { BENCH_POLICIES, outerFolds, replayOnce } from './nested-replay';

const curves: Curve[] = benchCurves('dispatch-order.ts');
const TOLERANCES = [0.002, 0.005, 0.01, 0.02];
const WORKERS = [1, 8, 32];
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)}s`;

const features = curvesFeatures(curves);
const featuresOf = new Map(curves.map((c, i) => [c.id, features[i] as RunFeatures]));
const { foldOf, folds, modelFor } = outerFolds(curves);

/**
 * Every run's predicted rank among its task's runs (the outcome model, what the scheduler orders
 * by) and predicted peak value, each fold's runs from a meta-model fitted on the other folds.
 */
function predictedOutcomes(): { rank: Map<string, number>; value: Map<string, number> } {
  const rank = new Map<string, number>();
  const value = new Map<string, number>();
  for (let fold = 0; fold < folds; fold++) {
    const held = curves.filter((c) => foldOf(c.task) === fold);
    if (held.length === 0) continue;
    const history = curves.filter((c) => foldOf(c.task) !== fold);
    const { state, representatives } = fitState(history.map((c) => fitRunOf(c, featuresOf.get(c.id) ?? {})));
    const encoded = representatives.map((r) => encodeFeatures(state, r.features));
    const outcome = state.outcome;
    if (!outcome) throw new Error('dispatch-order: the fit has no outcome model');
    const outcomeHistory = representatives.map((r) => ({
      encoded: encodeOutcome(outcome, r.features),
      peakRank: r.peakRank,
    }));
    for (const c of held) {
      const f = featuresOf.get(c.id) ?? {};
      const p = predictKernel(state, representatives, encoded, {
        encoded: encodeFeatures(state, f),
        family: typeof f.family === 'string' ? f.family : null,
        kind: null,
        checkpoint: 0,
        shape: null,
      });
      if (p) value.set(c.id, p.peakValue);
      rank.set(c.id, predictOutcome(outcome, state.missingPenalty, outcomeHistory, f));
    }
    console.log(
      `fold ${fold + 1}/${folds}: fitted on ${history.length} runs of ${new Set(history.map((c) => c.task)).size} tasks, ` +
        `${state.numeric.length + state.categories.length} features kept (outcome: ${[...outcome.numeric, ...outcome.categories].map((x) => `${x.key}×${x.weight}`).join(' ') || 'none'}; ` +
        `rank error ${outcome.lotoError.toFixed(3)} vs ${outcome.baselineError.toFixed(3)}, rho ${outcome.lotoSpearman.toFixed(3)} in the fold's history), predicted ${held.length} runs (${elapsed()})`,
    );
  }
  return { rank, value };
}

/** The curves with each group's runs best first by `score` (higher better), ties in file order. */
function orderedBy(score: (c: Curve) => number | undefined): Curve[] {
  const position = new Map(curves.map((c, i) => [c.id, i]));
  const key = (c: Curve) => {
    const s = score(c);
    return s === undefined || !Number.isFinite(s) ? Number.NEGATIVE_INFINITY : s;
  };
  // Groups replay independently: only the order within a group matters.
  return [...curves].sort(
    (a, b) => key(b) - key(a) || (position.get(a.id) as number) - (position.get(b.id) as number),
  );
}

const sign = (c: Curve) => (c.mode === 'max' ? 1 : -1);
const predicted = predictedOutcomes();
/** A run order: the curves in it, replayed once per seed (0 keeps it; others shuffle each group). */
const SHUFFLES = [1, 2, 3];
const ORDERS: { label: string; curves: Curve[]; seeds?: number[] }[] = [
  { label: 'file', curves },
  { label: `shuffled (mean of ${SHUFFLES.length})`, curves, seeds: SHUFFLES },
  { label: 'predicted', curves: orderedBy((c) => predicted.rank.get(c.id)) },
  { label: 'actual (ceiling)', curves: orderedBy((c) => sign(c) * peakOf(c).value) },
];

/**
 * How well a score (higher: dispatched earlier) ranks each group's runs by their actual peaks:
 * Spearman's rho, mean over the groups of 3 runs or more; how often the best run comes first.
 */
function rankQuality(score: (c: Curve) => number): { rho: number; groups: number; topHit: number } {
  const byGroup = new Map<string, Curve[]>();
  for (const c of curves) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
  const rhos: number[] = [];
  let topHit = 0;
  for (const group of byGroup.values()) {
    if (group.length < 3) continue;
    const actual = group.map((c) => sign(c) * peakOf(c).value);
    const scores = group.map(score);
    rhos.push(spearman(scores, actual));
    const first = scores.indexOf(Math.max(...scores));
    if ((actual[first] as number) >= Math.max(...actual) - 1e-12) topHit++;
  }
  return { rho: rhos.reduce((s, x) => s + x, 0) / rhos.length, groups: rhos.length, topHit };
}

const POLICIES = BENCH_POLICIES.filter((p) => p.label === 'auto' || p.label === 'asha η=3');

console.log(
  `${curves.length} runs, ${new Set(curves.map((c) => c.task)).size} tasks, ${new Set(curves.map((c) => c.group)).size} groups, ` +
    `${folds} outer folds by task unit; ${predicted.rank.size} runs predicted (${elapsed()})`,
);
for (const [label, score] of [
  ['predicted rank (the order used)', (c: Curve) => predicted.rank.get(c.id) ?? 0.5],
  ['predicted peak value', (c: Curve) => sign(c) * (predicted.value.get(c.id) ?? 0)],
] as const) {
  const q = rankQuality(score);
  console.log(
    `${label} against the actual peaks, over ${q.groups} groups: mean Spearman ${q.rho.toFixed(3)}, best run first in ${q.topHit}`,
  );
}
for (const task of new Set(curves.map((c) => c.task))) modelFor(task);
console.log(`stop models of ${folds} folds fitted (${elapsed()})`);

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => x.toFixed(4);
const shareOver = (s: Score, limit: number) =>
  s.groups.length === 0 ? 0 : s.groups.filter((g) => g.regret > limit * (1 + 1e-9)).length / s.groups.length;
const cache = new Map<string, Score>();
for (const tolerance of TOLERANCES) {
  console.log(
    `\nexperiment scope, tolerance ${tolerance} (${elapsed()}); each cell: ${ORDERS.map((o) => o.label).join(' / ')} order`,
  );
  const rows: string[][] = [];
  for (const policy of POLICIES) {
    for (const workers of WORKERS) {
      const scores = ORDERS.map((order) =>
        (order.seeds ?? [0]).map((seed) => {
          const key = `${policy.label}|${workers}|${order.label}|${seed}|${policy.byTolerance ? tolerance : '-'}`;
          let score = cache.get(key);
          if (!score) {
            score = replayOnce(
              order.curves,
              policy.options(tolerance),
              'experiment',
              { seed, workers },
              tolerance,
              modelFor,
            ).score;
            cache.set(key, score);
          }
          return score;
        }),
      );
      const worst = (s: Score) =>
        s.groups.reduce((w, x) => (x.regret > w.regret ? x : w), { group: '-', regret: 0 });
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      // Over the seeds of an order: the mean, and the worst group of any of them.
      const cells = (f: (s: Score) => number, show: (x: number) => string, over = mean) =>
        scores.map((list) => show(over(list.map(f)))).join(' / ');
      rows.push([
        `${policy.label}, ${workers} workers`,
        cells((s) => s.groupSaved, pct),
        cells((s) => s.groupRegret, num),
        cells(
          (s) => worst(s).regret,
          num,
          (xs) => Math.max(...xs),
        ),
        cells((s) => shareOver(s, tolerance), pct),
        worst((scores[2] as Score[])[0] as Score).group,
      ]);
    }
  }
  printTable(
    [
      'policy',
      'saved',
      'mean regret',
      'worst group',
      'groups over tolerance',
      'worst group, predicted order',
    ],
    rows,
  );
}
console.log(`\n${hostLine()}; ${elapsed()} in all`);
