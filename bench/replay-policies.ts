// Replays every policy on recorded curves and prints, side by side in one run, what the policies
// issue asks for: run scope (each run alone) and experiment scope (runs of a task compete on 8
// workers), with the history being the same files, so every task is judged by a model that never
// saw it (leave-tasks-out). Also the best patience setting under the same mean loss, the oracle,
// and how long each replay takes.
//
//   npx tsx bench/replay-policies.ts [CURVES.jsonl...]      (default: ../shared/curves/dev/*.jsonl)
import {
  type Curve,
  historyModels,
  mulberry32,
  POLICY_NAMES,
  type PolicyOptions,
  type ReplayScope,
  type RunOutcome,
  replayPolicy,
  type Score,
  scoreStops,
} from '@curfew/policies';
import { benchCurves } from './curve-files';

const TOLERANCE = 0.005;
const curves: Curve[] = benchCurves('replay-policies.ts');

const common = { monitor: 'em', mode: 'max' as const, tolerance: TOLERANCE, lr_drop_before_stop: false };
const defaults: Record<string, PolicyOptions> = {
  none: { name: 'none' },
  patience: {
    ...common,
    name: 'patience',
    patience: 5,
    min_delta: 0,
    start_from_eval: 0,
    restore_best: true,
  },
  threshold: { ...common, name: 'threshold', min_evals: 3 },
  median: { ...common, name: 'median', startup_runs: 5, warmup_evals: 3 },
  asha: { ...common, name: 'asha', reduction_factor: 3 },
  extrapolate: { ...common, name: 'extrapolate', probability: 0.05, min_evals: 4 },
  meta: { ...common, name: 'meta' },
  auto: { ...common, name: 'auto' },
};

const modelFor = historyModels(curves);
function run(
  options: PolicyOptions,
  scope: ReplayScope,
  order: readonly Curve[] = curves,
): { score: Score; ms: number; outcomes: RunOutcome[] } {
  const t0 = performance.now();
  const { score, outcomes } = replayPolicy({
    curves: order,
    modelFor,
    options,
    scope,
    workers: 8,
    tolerance: TOLERANCE,
  });
  return { score, ms: performance.now() - t0, outcomes };
}

/**
 * Where a policy's tokens go in experiment scope, as shares of each group's full tokens averaged
 * over groups (so they add up to 1 − saved): the floor every run pays to reach the first
 * successive-halving rung (1/27 of its budget), then the tokens beyond it by the run's fate (the
 * group's eventual best run, or the stop reason) and by how far the run's full curve ends below
 * the group's best (tokens on runs far behind are the waste a better rule could cut).
 */
function tokenShares(outcomes: readonly RunOutcome[]): Map<string, number> {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const groups = new Map<string, Curve[]>();
  for (const c of curves) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  const shares = new Map<string, number>();
  const add = (key: string, tokens: number, full: number) =>
    shares.set(key, (shares.get(key) ?? 0) + tokens / full / groups.size);
  const sign = (c: Curve) => (c.mode === 'max' ? 1 : -1);
  const bestUpTo = (c: Curve, k: number) =>
    Math.max(...c.evals.slice(0, k + 1).map((e) => sign(c) * e.value));
  for (const runs of groups.values()) {
    const full = runs.reduce((s, c) => s + (c.evals.at(-1)?.tokens ?? 0), 0);
    const deployed = (c: Curve) => bestUpTo(c, byId.get(c.id)?.stopIndex ?? c.evals.length - 1);
    const winner = runs.reduce((w, c) => (deployed(c) > deployed(w) ? c : w));
    const groupBest = Math.max(...runs.map((c) => bestUpTo(c, c.evals.length - 1)));
    for (const c of runs) {
      const o = byId.get(c.id) as RunOutcome;
      const floor = c.evals.find((e) => e.tokens >= (c.budgetTokens / 27) * (1 - 1e-9))?.tokens ?? 0;
      const beyond = Math.max(0, o.stopTokens - floor);
      add('floor: every run up to the first rung (1/27)', Math.min(floor, o.stopTokens), full);
      add(
        `beyond it, by fate: ${c === winner ? 'the eventual best run' : o.reason === 'budget' ? 'other runs trained to budget' : `runs stopped by ${o.reason}`}`,
        beyond,
        full,
      );
      const gap = groupBest - bestUpTo(c, c.evals.length - 1);
      add(
        `beyond it, by final gap: runs ending ${gap < 0.02 ? '< 2' : gap < 0.05 ? '2-5' : '>= 5'} points behind the best`,
        beyond,
        full,
      );
    }
  }
  return shares;
}

const pad = (s: string, n: number) => s.padEnd(n);
const f = (x: number, d = 3) => x.toFixed(d).padStart(8);
function row(name: string, s: Score, ms?: number) {
  console.log(
    `${pad(name, 40)}${f(s.runSaved)}${f(s.runMeanLoss, 4)}${f(s.runP95Loss, 4)}${f(s.runShareOverTolerance)}${f(s.groupSaved)}${f(s.groupRegret, 4)}${ms === undefined ? '' : `${(ms / 1000).toFixed(1).padStart(8)}s`}`,
  );
}
function header(title: string) {
  console.log(`\n${title}`);
  console.log(
    `${pad('policy', 40)}${'saved'.padStart(8)}${'loss'.padStart(8)}${'p95'.padStart(8)}${'>tol'.padStart(8)}${'grp sav'.padStart(8)}${'regret'.padStart(8)}${'time'.padStart(9)}`,
  );
}

console.log(
  `${curves.length} runs, ${new Set(curves.map((c) => c.task)).size} tasks, tolerance ${TOLERANCE}`,
);
const t0 = performance.now();
modelFor(curves[0]?.task ?? '');
console.log(
  `first model fitted in ${((performance.now() - t0) / 1000).toFixed(1)}s (models are fitted lazily, one per task fold)`,
);

// Run scope.
header('run scope (each run alone); history = the same files, each task judged by a model that never saw it');
const oracle = scoreStops(
  curves,
  new Map(
    curves.map((c) => [
      c.id,
      c.evals.reduce(
        (b, e, i, a) =>
          (a[b]?.value ?? 0) * (c.mode === 'max' ? 1 : -1) < e.value * (c.mode === 'max' ? 1 : -1) ? i : b,
        0,
      ),
    ]),
  ),
  TOLERANCE,
);
row('oracle (stop at best)', oracle);
const results = new Map<string, Score>();
for (const name of POLICY_NAMES) {
  const r = run(defaults[name] as PolicyOptions, 'run');
  results.set(name, r.score);
  row(name, r.score, r.ms);
}
// The best patience setting whose mean loss stays within the tolerance.
let bestPatience: { label: string; score: Score } | null = null;
for (const patience of [1, 2, 3, 5, 8, 10, 15, 20, 25, 30, 35, 40]) {
  for (const min_delta of [0, 0.001, 0.005]) {
    const s = run(
      { ...(defaults.patience as PolicyOptions & { name: 'patience' }), patience, min_delta },
      'run',
    ).score;
    if (s.runMeanLoss <= TOLERANCE && (!bestPatience || s.runSaved > bestPatience.score.runSaved)) {
      bestPatience = { label: `best patience (p=${patience}, min_delta=${min_delta})`, score: s };
    }
  }
}
if (bestPatience) row(bestPatience.label, bestPatience.score);

// Experiment scope.
header('experiment scope (runs of a task compete on 8 workers, tokens as the clock)');
const expResults = new Map<string, Score>();
let autoOutcomes: RunOutcome[] = [];
for (const name of POLICY_NAMES) {
  const r = run(defaults[name] as PolicyOptions, 'experiment');
  expResults.set(name, r.score);
  if (name === 'auto') autoOutcomes = r.outcomes;
  row(name, r.score, r.ms);
}
console.log('\nwhere auto spends tokens in experiment scope (share of full tokens, mean over groups)');
for (const [key, share] of [...tokenShares(autoOutcomes)].sort())
  console.log(`  ${pad(key, 66)}${f(share, 4)}`);

// Which runs start first changes what successive halving sees: the same policies on the same runs
// taken in other orders (each group's runs shuffled, seeded), next to the file's order.
const ORDERS = 5;
/** The curves with each group's runs in a seeded random order (groups replay independently). */
function shuffled(seed: number): Curve[] {
  const random = mulberry32(seed);
  const keyed = curves.map((c) => ({ c, key: random() }));
  return keyed.sort((a, b) => a.key - b.key).map(({ c }) => c);
}
console.log(
  `\nexperiment scope in ${ORDERS + 1} run orders (the file's and ${ORDERS} shuffles of each group's runs)`,
);
console.log(
  `${pad('policy', 12)}${'saved: min'.padStart(12)}${'mean'.padStart(8)}${'max'.padStart(8)}${'regret: min'.padStart(13)}${'mean'.padStart(8)}${'max'.padStart(8)}`,
);
const orderScores = new Map<string, Score[]>();
for (const name of ['asha', 'auto'] as const) {
  const scores = [expResults.get(name) as Score];
  for (let seed = 1; seed <= ORDERS; seed++)
    scores.push(run(defaults[name] as PolicyOptions, 'experiment', shuffled(seed)).score);
  orderScores.set(name, scores);
  const saved = scores.map((s) => s.groupSaved);
  const regret = scores.map((s) => s.groupRegret);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `${pad(name, 12)}${f(Math.min(...saved)).padStart(12)}${f(mean(saved))}${f(Math.max(...saved))}${f(Math.min(...regret), 4).padStart(13)}${f(mean(regret), 4)}${f(Math.max(...regret), 4)}`,
  );
}

const auto = results.get('auto') as Score;
const autoExp = expResults.get('auto') as Score;
const asha = expResults.get('asha') as Score;
console.log('\nside by side');
console.log(
  `run scope: auto saves ${(auto.runSaved * 100).toFixed(1)}% at mean loss ${auto.runMeanLoss.toFixed(4)}; best patience ${bestPatience ? (bestPatience.score.runSaved * 100).toFixed(1) : '-'}%; oracle ${(oracle.runSaved * 100).toFixed(1)}%; ratio auto / best patience = ${bestPatience ? (auto.runSaved / bestPatience.score.runSaved).toFixed(2) : '-'}`,
);
console.log(
  `experiment scope: auto saves ${(autoExp.groupSaved * 100).toFixed(1)}% at regret ${autoExp.groupRegret.toFixed(4)}; asha (η=3) ${(asha.groupSaved * 100).toFixed(1)}% at ${asha.groupRegret.toFixed(4)}; tokens used auto / asha = ${((1 - autoExp.groupSaved) / (1 - asha.groupSaved)).toFixed(2)}`,
);
const autoOrders = orderScores.get('auto') as Score[];
console.log(
  `experiment scope over ${autoOrders.length} run orders: auto saves ${((autoOrders.reduce((a, s) => a + s.groupSaved, 0) / autoOrders.length) * 100).toFixed(1)}% on average at mean regret ${(autoOrders.reduce((a, s) => a + s.groupRegret, 0) / autoOrders.length).toFixed(4)}`,
);
