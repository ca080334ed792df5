// The nested, shuffled replay of bench/replay-policies.ts, scored per kind of development curve
// (accuracy, loss, WER, SSIM, from each curve's metric name): a policy that holds its tolerance
// on the mean of all curves can still break it on one kind. Each replay decides on every curve at
// once, with every task judged by what was learned without its fold; the stops of that one replay
// are then scored on the curves of each kind alone. Printed per tolerance and kind, experiment
// scope over every run order and worker count: tokens saved (mean, worst replay), regret (mean,
// worst replay), the worst group, and the share of groups over the tolerance and over twice it;
// run scope: tokens saved, mean loss and the share of tasks over the tolerance, beside the oracle.
// Beside auto: asha (η 3 and 4), median, the best patience setting (chosen inside the folds) and
// the oracle.
//
//   nice -n 10 npx tsx bench/replay-by-kind.ts [CURVES.jsonl...] [--orders 5] [--splits 0.25,0.75]
import { parseArgs } from 'node:util';
import { type Curve, type KindMatching, type PolicyOptions, type Score, scoreStops } from '@curfew/policies';
import { benchCurves } from './curve-files';
import {
  BENCH_POLICIES,
  type Candidate,
  type Condition,
  chooseInsideFolds,
  replayOptions as common,
  kindOf,
  oracleStops,
  outerFolds,
  PATIENCE_GRID,
  replayAutoWith,
  replayOnce,
} from './nested-replay';

const { values, positionals } = parseArgs({
  options: { orders: { type: 'string', default: '5' }, splits: { type: 'string', default: '' } },
  allowPositionals: true,
});
const TOLERANCES = [0.002, 0.005, 0.01, 0.02];
// --splits 0.25,0.75: auto also with those shares of the tolerance for halving (the rest for the
// survivors' plateau rule; its default is 0.5), side by side: how much the split moves.
const SPLITS = values.splits
  ? values.splits.split(',').map((x) => {
      const v = Number(x);
      if (!(v > 0 && v <= 1)) {
        console.error(`replay-by-kind: --splits takes shares in (0, 1], got ${x}`);
        process.exit(2);
      }
      return v;
    })
  : [];
const WORKERS = [1, 8, 32];
const curves: Curve[] = benchCurves('replay-by-kind.ts', positionals);
const conditions: Condition[] = [
  0,
  ...Array.from({ length: Number(values.orders) }, (_, k) => k + 1),
].flatMap((seed) => WORKERS.map((workers) => ({ seed, workers })));

const kinds = new Map<string, Curve[]>();
for (const c of curves) kinds.set(kindOf(c.metric), [...(kinds.get(kindOf(c.metric)) ?? []), c]);

const POLICIES = BENCH_POLICIES;
const PATIENCE = PATIENCE_GRID;

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)}s`;
const { foldOf, folds, modelFor } = outerFolds(curves);
for (const task of new Set(curves.map((c) => c.task))) modelFor(task);
const metricsOf = (list: Curve[]) => [...new Set(list.map((c) => c.metric))].join(', ');
console.log(
  `${curves.length} runs, ${new Set(curves.map((c) => c.group)).size} groups, ${folds} outer folds; ` +
    `${conditions.length} replays per policy and tolerance (${conditions.length / WORKERS.length} run orders × ` +
    `${WORKERS.join(', ')} workers); models fitted in ${elapsed()}`,
);
for (const [kind, list] of kinds)
  console.log(
    `  ${kind}: ${list.length} runs, ${new Set(list.map((c) => c.group)).size} groups (${metricsOf(list)})`,
  );

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => x.toFixed(4);
const shareOver = (xs: readonly number[], limit: number) =>
  xs.length === 0 ? 0 : xs.filter((v) => v > limit * (1 + 1e-9)).length / xs.length;

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

/** One experiment-scope row: a policy's replays scored on one kind's curves. */
function experimentRow(label: string, scores: Score[], tolerance: number): string[] {
  const groups = scores.map((s) => s.groups.map((g) => g.regret));
  let worst = { group: '-', regret: 0 };
  for (const s of scores) for (const g of s.groups) if (g.regret > worst.regret) worst = g;
  const over = groups.map((g) => shareOver(g, tolerance));
  const over2 = groups.map((g) => shareOver(g, 2 * tolerance));
  return [
    label,
    `${pct(mean(scores.map((s) => s.groupSaved)))} (${pct(Math.min(...scores.map((s) => s.groupSaved)))})`,
    `${num(mean(scores.map((s) => s.groupRegret)))} (${num(Math.max(...scores.map((s) => s.groupRegret)))})`,
    `${num(worst.regret)} ${worst.group}`,
    `${pct(mean(over))} (${pct(Math.max(...over))})`,
    `${pct(mean(over2))} (${pct(Math.max(...over2))})`,
  ];
}

const stopsCache = new Map<string, Map<string, number>[]>();
/** The stops of every replay of a policy at a tolerance, on all curves at once. */
function experimentStops(label: string, options: PolicyOptions, tolerance: number, byTolerance: boolean) {
  const key = `${label}|${byTolerance ? tolerance : '-'}`;
  let all = stopsCache.get(key);
  if (!all) {
    all = conditions.map((c) => replayOnce(curves, options, 'experiment', c, tolerance, modelFor).stops);
    stopsCache.set(key, all);
  }
  return all;
}

// auto with its other settings for a kind of curve history holds too little of (policies/auto.ts):
// plain halving regardless of what the kind's few units say, and nothing stopped.
const AUTO_VARIANTS: { label: string; matching: KindMatching }[] = [
  {
    label: "auto, plain halving w/o its kind's hist.",
    matching: { poolFamilies: true, withoutKind: 'halving' },
  },
  { label: "auto, none w/o its kind's history", matching: { poolFamilies: true, withoutKind: 'none' } },
];
const variantStops = (matching: KindMatching, tolerance: number) =>
  conditions.map((c) => replayAutoWith(curves, { matching }, 'experiment', c, tolerance, modelFor).stops);

const oracle = oracleStops(curves);
const patienceRun: Candidate[] = PATIENCE.map(({ patience, min_delta }) => ({
  label: `p=${patience} δ=${min_delta}`,
  stops: replayOnce(
    curves,
    { ...common(0.005), name: 'patience', patience, min_delta, start_from_eval: 0, restore_best: true },
    'run',
    { seed: 0, workers: 1 },
    0.005,
    modelFor,
  ).stops,
}));

for (const tolerance of TOLERANCES) {
  const exp = POLICIES.map((p) => ({
    label: p.label,
    stops: experimentStops(p.label, p.options(tolerance), tolerance, p.byTolerance),
  }));
  exp.splice(
    1,
    0,
    ...AUTO_VARIANTS.map((v) => ({ label: v.label, stops: variantStops(v.matching, tolerance) })),
    ...SPLITS.map((split) => ({
      label: `auto, halving ${split} of tol`,
      stops: conditions.map(
        (c) =>
          replayAutoWith(curves, { halvingShareOfTolerance: split }, 'experiment', c, tolerance, modelFor)
            .stops,
      ),
    })),
  );
  const patienceExp = chooseInsideFolds(curves, patienceRun, foldOf, folds, tolerance, 'experiment');
  const autoRun = replayOnce(
    curves,
    POLICIES[0]?.options(tolerance) as PolicyOptions,
    'run',
    { seed: 0, workers: 1 },
    tolerance,
    modelFor,
  ).stops;
  const patienceRunChosen = chooseInsideFolds(curves, patienceRun, foldOf, folds, tolerance, 'run');
  console.log(`\n== tolerance ${tolerance} (${elapsed()})`);
  for (const [kind, list] of kinds) {
    console.log(
      `\n${kind}, experiment scope: saved mean (worst replay) · regret mean (worst replay) · worst group · groups over tol · over 2× tol`,
    );
    const rows = exp.map((p) =>
      experimentRow(
        p.label,
        p.stops.map((s) => scoreStops(list, s, tolerance)),
        tolerance,
      ),
    );
    rows.push(
      experimentRow('best patience (in folds)', [scoreStops(list, patienceExp.stops, tolerance)], tolerance),
      experimentRow('oracle (stop at best)', [scoreStops(list, oracle, tolerance)], tolerance),
    );
    console.log(table(['policy', 'saved', 'regret', 'worst group', '> tol', '> 2× tol'], rows));
    const runRow = (label: string, stops: Map<string, number>) => {
      const s = scoreStops(list, stops, tolerance);
      return [
        label,
        pct(s.runSaved),
        num(s.runMeanLoss),
        pct(
          shareOver(
            s.tasks.map((t) => t.meanLoss),
            tolerance,
          ),
        ),
      ];
    };
    console.log(`${kind}, run scope (oracle saves ${pct(scoreStops(list, oracle, tolerance).runSaved)}):`);
    console.log(
      table(
        ['policy', 'saved', 'mean loss', 'tasks > tol'],
        [
          runRow('auto', autoRun),
          runRow('best patience (in folds)', patienceRunChosen.stops),
          runRow('oracle (stop at best)', oracle),
        ],
      ),
    );
  }
}
console.log(`\ndone in ${elapsed()}`);
