// Replays the stopping policies on recorded curves and prints, side by side in one run, what issue
// 12 asks to be shown, with nothing chosen by looking at a task:
// - nested leave-task-out: each task is judged by models and tables learned without its fold
//   (tasks split by unit into five folds, as `curfew replay --history` does), which chose their
//   own settings on inner folds; the best patience setting is chosen on the other folds' tasks;
// - experiment scope in the file's order and `--orders` shuffles of each group's runs, on 1, 8
//   and 32 workers; run scope (each run alone);
// - at tolerances 0.002, 0.005, 0.01 and 0.02: the mean, the worst replay, the worst group, and
//   the share of groups (tasks) over the tolerance and over twice it.
//
//   nice -n 10 npx tsx bench/replay-policies.ts [CURVES.jsonl...] [--orders 5] [--decisions FILE]
//
// `--decisions FILE` writes auto's stops at tolerance 0.005 (experiment scope, file order, 8
// workers) for ../shared/curves/stopeval.py score.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Curve, type PolicyOptions, type ReplayScope, type Score, scoreStops } from '@curfew/policies';
import { benchCurves } from './curve-files';
import {
  BENCH_POLICIES,
  type Candidate,
  type Condition,
  chooseInsideFolds,
  replayOptions as common,
  oracleStops,
  outerFolds,
  PATIENCE_GRID,
  replayOnce,
} from './nested-replay';
import { experimentTable, runTable, type Summary, targetLine, workersTable } from './replay-tables';

const { values, positionals } = parseArgs({
  options: { orders: { type: 'string', default: '5' }, decisions: { type: 'string' } },
  allowPositionals: true,
});
const TOLERANCES = [0.002, 0.005, 0.01, 0.02];
const WORKERS = [1, 8, 32];
const ORDERS = Number(values.orders);
const curves: Curve[] = benchCurves('replay-policies.ts', positionals);
const conditions: Condition[] = [0, ...Array.from({ length: ORDERS }, (_, k) => k + 1)].flatMap((seed) =>
  WORKERS.map((workers) => ({ seed, workers })),
);

const POLICIES = BENCH_POLICIES;
const PATIENCE = PATIENCE_GRID;

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)}s`;
const { foldOf, folds, modelFor } = outerFolds(curves);
const groups = new Set(curves.map((c) => c.group)).size;
console.log(
  `${curves.length} runs, ${new Set(curves.map((c) => c.task)).size} tasks, ${groups} groups; ` +
    `${folds} outer folds by task unit; experiment scope over ${conditions.length} replays ` +
    `(${ORDERS + 1} run orders × ${WORKERS.join(', ')} workers)`,
);
// Fit every fold's model up front, so the timings below are replay times.
for (const task of new Set(curves.map((c) => c.task))) modelFor(task);
console.log(`models and tables of ${folds} folds fitted in ${elapsed()}`);

const oracle = scoreStops(curves, oracleStops(curves));
const patienceCandidates: Candidate[] = PATIENCE.map(({ patience, min_delta }) => {
  const options: PolicyOptions = {
    ...common(0.005),
    name: 'patience',
    patience,
    min_delta,
    start_from_eval: 0,
    restore_best: true,
  };
  return {
    label: `p=${patience} δ=${min_delta}`,
    stops: replayOnce(curves, options, 'run', { seed: 0, workers: 1 }, 0.005, modelFor).stops,
  };
});

/** Every replay of a policy at a tolerance in a scope (run scope: one, order does not matter). */
function replays(options: PolicyOptions, scope: ReplayScope, tolerance: number): Score[] {
  const list = scope === 'run' ? [{ seed: 0, workers: 1 }] : conditions;
  return list.map((c) => replayOnce(curves, options, scope, c, tolerance, modelFor).score);
}

const cache = new Map<string, Score[]>();
function summaries(scope: ReplayScope, tolerance: number): Summary[] {
  const out: Summary[] = POLICIES.map(({ label, options, byTolerance }) => {
    const key = `${label}|${scope}|${byTolerance ? tolerance : '-'}`;
    let scores = cache.get(key);
    if (!scores) {
      scores = replays(options(tolerance), scope, tolerance);
      cache.set(key, scores);
    }
    return { policy: label, tolerance, scores };
  });
  const patience = chooseInsideFolds(curves, patienceCandidates, foldOf, folds, tolerance, scope);
  // Patience ignores peers: one score stands for every run order and worker count.
  out.push({
    policy: 'best patience (in folds)',
    tolerance,
    scores: [scoreStops(curves, patience.stops, tolerance)],
    chosen: patience.labels,
  });
  out.push({ policy: 'oracle (stop at best)', tolerance, scores: [oracle] });
  return out;
}

const autoBy = new Map<string, Summary>();
for (const tolerance of TOLERANCES) {
  const exp = summaries('experiment', tolerance);
  console.log(
    `\nexperiment scope, tolerance ${tolerance} (${elapsed()}): best-of-experiment regret per group`,
  );
  console.log(experimentTable(exp));
  const patience = exp.find((s) => s.chosen);
  console.log(`  best patience chosen per fold: ${patience?.chosen?.join(', ')}`);
  console.log(
    workersTable(
      exp
        .filter((s) => s.scores.length === conditions.length)
        .map((s) => ({
          policy: s.policy,
          byWorkers: new Map(
            WORKERS.map((w) => [w, s.scores.filter((_, i) => (conditions[i] as Condition).workers === w)]),
          ),
        })),
      WORKERS,
    ),
  );
  const run = summaries('run', tolerance);
  console.log(`\nrun scope, tolerance ${tolerance}: each run alone, loss per task`);
  console.log(runTable(run, oracle.runSaved));
  console.log(`  best patience chosen per fold: ${run.find((s) => s.chosen)?.chosen?.join(', ')}`);
  autoBy.set(`e${tolerance}`, exp[0] as Summary);
  autoBy.set(`r${tolerance}`, run[0] as Summary);
}

console.log(`\nauto against the targets (${elapsed()})`);
for (const tolerance of TOLERANCES) {
  const line = targetLine(
    autoBy.get(`e${tolerance}`) as Summary,
    autoBy.get(`r${tolerance}`) as Summary,
    oracle.runSaved,
  );
  console.log(`  ${line.experiment}\n  ${line.run}`);
}

if (values.decisions) {
  // The same replay as the experiment table's file order on 8 workers, for stopeval.py to check.
  const auto = POLICIES[0] as (typeof POLICIES)[number];
  const condition = { seed: 0, workers: 8 };
  const { stops, score } = replayOnce(curves, auto.options(0.005), 'experiment', condition, 0.005, modelFor);
  const lines = [...stops].map(([id, k]) => `${JSON.stringify({ id, stop_index: k })}\n`);
  writeFileSync(values.decisions, lines.join(''));
  console.log(
    `\nauto's stops (tolerance 0.005, experiment scope, file order, 8 workers) written to ${values.decisions}: ` +
      `group_saved ${score.groupSaved.toFixed(4)}, group_regret ${score.groupRegret.toFixed(5)}, ` +
      `group_max_regret ${score.groupMaxRegret.toFixed(5)}; check: python3 ../shared/curves/stopeval.py ` +
      `score CURVES... --decisions ${values.decisions}`,
  );
}
