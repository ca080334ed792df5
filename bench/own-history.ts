// Whether an experiment's own finished runs, once they are history, help the runs of its task
// that come after them (issue 12: "recalibrate from the experiment's own finished runs as they
// come in"). In curfew a run that trained to its budget is history from the next refit on, and a
// run pins the newest stop models when it starts; the question is which model a task of history
// gets: the one fitted without its fold (as a task never seen is judged), or the one of all
// history, its own earlier runs included.
//
// For each outer fold (the task units auto's models are nested by), each group of the fold's
// tasks is split in two: a first sweep (half its runs) and a second one (the rest). The first is
// replayed with auto at tolerance 0.005 on 8 workers, judged by the model without the fold; its
// runs that trained to their budget are what history would have gained from it. The second sweep
// is then replayed three times: judged by the model without the fold, by one fitted on the other
// folds plus those runs, and by the one of the two curfew picks (`stopModelFor`: the fold's model
// unless it holds too few other tasks of the run's kind of curve). Nothing is chosen on the second
// sweep. Three splits (file order and two seeded shuffles), experiment scope at 1, 8 and 32
// workers in two run orders each, run scope, per kind of curve, at tolerances 0.002, 0.005, 0.01
// and 0.02.
//
//   nice -n 10 npx tsx bench/own-history.ts [CURVES.jsonl...]
import { STOP_MODELS_KIND, type StoredStopModels, stopModelFor } from '@curfew/decisions';
import {
  type Curve,
  createAutoPolicy,
  DEFAULT_AUTO_SETTINGS,
  type ReplayScope,
  replay,
  type StopModel,
  StopModelTrainer,
  scoreStops,
  shuffledRuns,
} from '@curfew/policies';
import { hostLine, printTable } from './bench-support';
import { benchCurves } from './curve-files';
import { kindOf, outerFolds } from './nested-replay';

const TOLERANCES = [0.002, 0.005, 0.01, 0.02];
const FIRST_SWEEP = { tolerance: 0.005, workers: 8 };
const SPLITS = [0, 1, 2];
const CONDITIONS = [1, 8, 32].flatMap((workers) => [1, 2].map((seed) => ({ workers, seed })));
const curves: Curve[] = benchCurves('own-history.ts', process.argv.slice(2));
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

function fitAll(history: readonly Curve[]): StopModel | null {
  if (history.length === 0) return null;
  const model = new StopModelTrainer(history).fit(new Set());
  return model.calibration.length > 0 ? model : null;
}

function replayAuto(
  list: readonly Curve[],
  modelFor: (task: string) => StopModel | null,
  tolerance: number,
  scope: ReplayScope,
  condition: { workers: number; seed: number },
): Map<string, number> {
  const outcomes = replay(
    shuffledRuns(list, condition.seed),
    (c) =>
      createAutoPolicy(
        { name: 'auto', monitor: c.metric, mode: c.mode, tolerance, lr_drop_before_stop: false },
        { id: c.id, budgetTokens: c.budgetTokens, mode: c.mode, metric: c.metric, features: c.features },
        modelFor(c.task),
        DEFAULT_AUTO_SETTINGS,
      ),
    { scope, workers: condition.workers },
  );
  return new Map(outcomes.map((o) => [o.id, o.stopIndex]));
}

/** Each group's runs in two sweeps: the first half (by the split's order) and the rest. */
function split(list: readonly Curve[], seed: number): { first: Curve[]; second: Curve[] } {
  const byGroup = new Map<string, Curve[]>();
  for (const c of shuffledRuns(list, seed)) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
  const first: Curve[] = [];
  const second: Curve[] = [];
  for (const runs of byGroup.values()) {
    const half = Math.ceil(runs.length / 2);
    first.push(...runs.slice(0, half));
    second.push(...runs.slice(half));
  }
  return { first, second };
}

type Arm = 'without' | 'with' | 'chosen';
interface Cell {
  saved: number[];
  regret: number[];
  worst: number[];
  over: number[];
  over2: number[];
  runSaved: number[];
  runLoss: number[];
}
const cells = new Map<string, Cell>();
const cell = (key: string): Cell => {
  let c = cells.get(key);
  if (!c) {
    c = { saved: [], regret: [], worst: [], over: [], over2: [], runSaved: [], runLoss: [] };
    cells.set(key, c);
  }
  return c;
};

const { foldOf, folds } = outerFolds(curves);
let gainedRuns = 0;
let secondRuns = 0;
for (let fold = 0; fold < folds; fold++) {
  const history = curves.filter((c) => foldOf(c.task) !== fold);
  const held = curves.filter((c) => foldOf(c.task) === fold);
  if (held.length === 0) continue;
  const without = fitAll(history);
  for (const seed of SPLITS) {
    const { first, second } = split(held, seed);
    const firstStops = replayAuto(first, () => without, FIRST_SWEEP.tolerance, 'experiment', {
      workers: FIRST_SWEEP.workers,
      seed: 0,
    });
    const finished = first.filter((c) => firstStops.get(c.id) === c.evals.length - 1);
    gainedRuns += finished.length;
    secondRuns += second.length;
    const withOwn = fitAll([...history, ...finished]);
    // What curfew does (`stopModelFor`): a task of history by its fold's model unless that lacks
    // its kind of curve, a task history does not hold (no run of its first sweep finished) by the
    // one of all history.
    const stored: StoredStopModels = {
      kind: STOP_MODELS_KIND,
      selection: 'own-history',
      foldOfTask: Object.fromEntries(Object.keys(withOwn?.kinds.tasks ?? {}).map((t) => [t, foldOf(t)])),
      models: {
        all: withOwn,
        ...Object.fromEntries(
          [...new Set(curves.map((c) => foldOf(c.task)))].map((f) => [
            String(f),
            f === fold ? without : null,
          ]),
        ),
      },
    };
    const models: Record<Arm, (task: string) => StopModel | null> = {
      without: () => without,
      with: () => withOwn,
      chosen: (task) => stopModelFor(stored, task),
    };
    for (const tolerance of TOLERANCES)
      for (const arm of ['without', 'with', 'chosen'] as const) {
        for (const condition of CONDITIONS) {
          const stops = replayAuto(second, models[arm], tolerance, 'experiment', condition);
          for (const kind of new Set(second.map((c) => kindOf(c.metric)))) {
            const list = second.filter((c) => kindOf(c.metric) === kind);
            const groups = scoreStops(list, stops, tolerance).groups;
            const c = cell(`${tolerance}|${kind}|${arm}`);
            // One entry per group and replay: kinds are scored over every fold's groups at once.
            for (const g of groups) {
              c.saved.push(g.saved);
              c.regret.push(g.regret);
              c.over.push(g.regret > tolerance * (1 + 1e-9) ? 1 : 0);
              c.over2.push(g.regret > 2 * tolerance * (1 + 1e-9) ? 1 : 0);
            }
          }
        }
        const runStops = replayAuto(second, models[arm], tolerance, 'run', { workers: 1, seed: 0 });
        for (const kind of new Set(second.map((c) => kindOf(c.metric)))) {
          const list = second.filter((c) => kindOf(c.metric) === kind);
          const score = scoreStops(list, runStops, tolerance);
          const c = cell(`${tolerance}|${kind}|${arm}`);
          for (const t of score.tasks) {
            c.runSaved.push(t.saved);
            c.runLoss.push(t.meanLoss);
          }
        }
      }
  }
  console.log(`fold ${fold + 1} of ${folds} done at ${elapsed()}`);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => x.toFixed(4);
console.log(
  `\n${curves.length} runs; second sweeps ${secondRuns} runs over ${SPLITS.length} splits; the first sweeps ` +
    `gave history ${gainedRuns} runs that trained to their budget (auto at ${FIRST_SWEEP.tolerance}, ` +
    `${FIRST_SWEEP.workers} workers)`,
);
console.log(
  'experiment scope: saved and regret, mean over groups × replays; worst group; share over tol / 2×tol',
);
console.log('run scope: saved and mean loss, mean over tasks × splits');
const rows: string[][] = [];
for (const tolerance of TOLERANCES)
  for (const kind of ['loss', 'SSIM', 'accuracy', 'WER']) {
    const w = cells.get(`${tolerance}|${kind}|without`);
    const o = cells.get(`${tolerance}|${kind}|with`);
    const h = cells.get(`${tolerance}|${kind}|chosen`);
    if (!w || !o || !h) continue;
    const pair = (f: (c: Cell) => string) => `${f(w)} / ${f(o)} / ${f(h)}`;
    rows.push([
      String(tolerance),
      kind,
      pair((c) => pct(mean(c.saved))),
      pair((c) => num(mean(c.regret))),
      pair((c) => num(Math.max(...c.regret))),
      pair((c) => pct(mean(c.over))),
      pair((c) => pct(mean(c.over2))),
      pair((c) => pct(mean(c.runSaved))),
      pair((c) => num(mean(c.runLoss))),
    ]);
  }
printTable(
  [
    'tolerance',
    'kind',
    'saved (without / with own / chosen)',
    'regret',
    'worst group',
    '> tol',
    '> 2×tol',
    'run scope saved',
    'run scope loss',
  ],
  rows,
);
console.log(`time: ${elapsed()}`);
console.log(hostLine());
