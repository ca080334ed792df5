// Leave-one-task-out check of the meta-learner through the production path: the dev curves are
// loaded as finished runs into a store, and for each held-out task the meta-model is fitted on
// the other tasks (fitMetaModel) and the task's runs are predicted by the SQL function
// curfew_predict_stop, before they start and given their evals up to their first at or past 10%
// and 30% of the budget (`evalsUpTo`).
// Two histories side by side: the original 15 tasks (quicktune, opda) and all of them. Nothing is
// chosen by looking at a held-out task: the fit sees only the other tasks, and the runs scored
// per task are a fixed sample by run id (at most --per-task, default 60, so big tasks do not
// drown the rest).
//
//   npx tsx bench/meta-relevance.ts [--postgres | --in-memory] [--per-task N] [CURVES.jsonl...]
//   (default: ../shared/curves/dev/*.jsonl on an embedded PGlite store; --postgres uses a database
//   of its own on the server of TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432;
//   --in-memory fits with fitState and predicts with predictKernel, the TypeScript mirror of
//   curfew_predict_stop that meta-model.int.test.ts checks against it: the same numbers up to the
//   store's rounding of scaled tokens, in a fraction of the time, for trying changes to the fit)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  chooseRepresentatives,
  curvesFeatures,
  fitMetaModel,
  loadCurvesAsHistory,
  predictStopMany,
} from '@curfew/meta';
import { type Curve, mulberry32 } from '@curfew/policies';
import { openStore, type StoreDatabase } from '@curfew/store';
import pg from 'pg';
import { hostLine, percent, printTable } from './bench-support';
import { benchCurves } from './curve-files';
import {
  below,
  evalsUpTo,
  kernelPredictor,
  kindOf,
  median,
  type PeakPrediction,
  pairedMedianChange,
  peakFraction,
  type Scored,
  summarise,
  taskBootstrapBelow,
} from './meta-scoring';

const argv = process.argv.slice(2);
const usePostgres = argv.includes('--postgres');
const inMemory = argv.includes('--in-memory');
const perTaskAt = argv.indexOf('--per-task');
const perTask = perTaskAt >= 0 ? Number(argv[perTaskAt + 1]) : 60;
if (!(Number.isInteger(perTask) && perTask > 0)) {
  console.error(`meta-relevance: --per-task needs a positive whole number, got ${argv[perTaskAt + 1]}`);
  process.exit(2);
}
const files = argv.filter((a, i) => !a.startsWith('--') && !(perTaskAt >= 0 && i === perTaskAt + 1));
const curves: Curve[] = benchCurves('meta-relevance.ts', files);
/** The development tasks the meta-learner was first built on (../shared/curves/README.md). */
const isOriginal = (task: string) => task.startsWith('quicktune/') || task.startsWith('opda/');
const CHECKPOINTS = [0, 0.1, 0.3] as const;

async function openBenchStore(): Promise<{ db: StoreDatabase; close: () => Promise<void> }> {
  if (usePostgres) {
    // A database of its own on the server, dropped at the end.
    const server = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `curfew_bench_meta_${process.pid}`;
    const admin = async (statement: string) => {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    const store = await openStore({ databaseUrl: url.toString() });
    return {
      db: store.db,
      close: async () => {
        await store.close();
        await admin(`DROP DATABASE ${name}`);
      },
    };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'curfew-bench-meta-'));
  const store = await openStore({ dataDir: dir });
  return {
    db: store.db,
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const features = new Map(curvesFeatures(curves).map((f, i) => [curves[i]?.id as string, f]));
const actual = new Map(curves.map((c) => [c.id, peakFraction(c)]));
const held = chooseRepresentatives(
  curves.map((c) => ({ runId: c.id, task: c.task, curve: c })),
  { maxRunsPerTask: perTask, maxRuns: Number.POSITIVE_INFINITY },
).map((h) => h.curve);

/** A fold's peak prediction for one held-out run given its evals so far (fraction of the budget). */
type FoldPredictor = (runs: readonly Curve[], upTo: number) => Promise<Map<string, PeakPrediction>>;

/** Fitted through the store (fitMetaModel), predicted by curfew_predict_stop. */
async function fitInStore(db: StoreDatabase, excluded: string[], task: string): Promise<FoldPredictor> {
  await fitMetaModel(db, { excludeTasks: excluded, notes: `bench: ${task} held out` });
  return (runs, upTo) =>
    predictStopMany(
      db,
      runs.map((c) => ({
        id: c.id,
        features: features.get(c.id) ?? {},
        budgetTokens: c.budgetTokens,
        evals: evalsUpTo(c, upTo),
      })),
    );
}

/** Fitted by fitState, predicted by predictKernel (the TypeScript mirror of curfew_predict_stop). */
async function fitInMemory(excluded: string[]): Promise<FoldPredictor> {
  const predict = kernelPredictor(
    curves.filter((c) => !excluded.includes(c.task)),
    (c) => features.get(c.id) ?? {},
  );
  return async (runs, upTo) => {
    const out = new Map<string, PeakPrediction>();
    for (const c of runs) {
      const p = predict(c, evalsUpTo(c, upTo));
      if (p) out.set(c.id, p);
    }
    return out;
  };
}

async function scoreFold(
  db: StoreDatabase | null,
  task: string,
  historyTasks: Set<string>,
  scenario: string,
) {
  const excluded = [...new Set(curves.map((c) => c.task))].filter((t) => t === task || !historyTasks.has(t));
  const predict = db ? await fitInStore(db, excluded, task) : await fitInMemory(excluded);
  const historyMedian = median(
    curves.filter((c) => !excluded.includes(c.task)).map((c) => actual.get(c.id) as number),
  );
  const runs = held.filter((c) => c.task === task);
  const out: Scored[] = [];
  for (const upTo of CHECKPOINTS) {
    const predictions = await predict(runs, upTo);
    for (const c of runs) {
      const p = predictions.get(c.id);
      if (!p) throw new Error(`meta-relevance: no prediction for ${c.id}`);
      const y = actual.get(c.id) as number;
      out.push({
        scenario,
        task,
        run: c.id,
        kind: kindOf(c.metric),
        upTo,
        error: Math.abs(p.peakFraction - y),
        baselineError: Math.abs(historyMedian - y),
        inside: y >= p.lowFraction && y <= p.highFraction,
        width: p.highFraction - p.lowFraction,
      });
    }
  }
  return out;
}

const started = Date.now();
const store = inMemory ? null : await openBenchStore();
const scored: Scored[] = [];
let fitMs = 0;
try {
  if (store) await loadCurvesAsHistory(store.db, curves);
  const loadMs = Date.now() - started;
  const allTasks = [...new Set(curves.map((c) => c.task))];
  const scenarios = [
    { name: `original ${allTasks.filter(isOriginal).length}`, history: new Set(allTasks.filter(isOriginal)) },
    { name: `all ${allTasks.length}`, history: new Set(allTasks) },
  ];
  let folds = 0;
  for (const scenario of scenarios) {
    for (const task of allTasks.filter((t) => scenario.history.has(t))) {
      const t = Date.now();
      scored.push(...(await scoreFold(store?.db ?? null, task, scenario.history, scenario.name)));
      fitMs += Date.now() - t;
      folds++;
    }
  }
  const [small, all] = scenarios.map((s) => s.name) as [string, string];
  console.log(
    `meta-learner, leave one task out through curfew_predict_stop: ${curves.length} runs in ${allTasks.length} tasks, ` +
      `≤ ${perTask} scored runs per task (${held.length})`,
  );
  // (a) More history never hurts: the original tasks, with history grown from 15 tasks to all.
  console.log(`\n(a) median error of the predicted peak per original task, history ${small} vs ${all}`);
  // Each run's errors under both histories, paired by run: the change and its noise.
  const runsOf = (task: string, scenario: string, upTo: number) =>
    scored
      .filter((s) => s.task === task && s.scenario === scenario && s.upTo === upTo)
      .sort((x, y) => (x.run < y.run ? -1 : x.run > y.run ? 1 : 0));
  const errorsOf = (task: string, scenario: string, upTo: number) =>
    runsOf(task, scenario, upTo).map((s) => s.error);
  const samePairs = (task: string, upTo: number) => {
    const a = runsOf(task, small, upTo).map((s) => s.run);
    const b = runsOf(task, all, upTo).map((s) => s.run);
    if (a.length !== b.length || a.some((run, i) => run !== b[i]))
      throw new Error(`meta-relevance: ${task} was not scored on the same runs under both histories`);
  };
  const uniform = mulberry32(13);
  const rowsA = [...new Set(scored.filter((s) => s.scenario === small).map((s) => s.task))].map((task) => {
    const cells = [
      median(errorsOf(task, small, 0)),
      median(errorsOf(task, all, 0)),
      median(errorsOf(task, small, 0.1)),
      median(errorsOf(task, all, 0.1)),
    ] as [number, number, number, number];
    const changes = [0, 0.1].map((upTo) => {
      samePairs(task, upTo);
      return pairedMedianChange(errorsOf(task, small, upTo), errorsOf(task, all, upTo), uniform);
    });
    const worst = changes.reduce((w, c) => (c.change > w.change ? c : w));
    return {
      task,
      cells,
      worse: worst.change,
      low: worst.low,
      high: worst.high,
      // Worse (better) beyond noise at either checkpoint.
      surelyWorse: changes.some((c) => c.low > 0),
      surelyBetter: changes.some((c) => c.high < 0),
    };
  });
  const signed = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(4);
  printTable(
    [
      'task',
      `before, ${small}`,
      `before, ${all}`,
      `10%, ${small}`,
      `10%, ${all}`,
      'worst change',
      '90% interval',
    ],
    rowsA.map((r) => [
      r.task,
      ...r.cells.map((x) => x.toFixed(3)),
      signed(r.worse),
      `${signed(r.low)} … ${signed(r.high)}`,
    ]),
  );
  const worse = rowsA.filter((r) => r.worse > 0.005).length;
  const surelyWorse = rowsA.filter((r) => r.surelyWorse).length;
  const surelyBetter = rowsA.filter((r) => r.surelyBetter).length;
  console.log(`tasks worse by more than 0.005 with more history: ${worse} of ${rowsA.length}`);
  console.log(
    `tasks whose change's 90% interval (paired bootstrap over their scored runs, 2,000 draws), before or at 10%, lies above 0: ` +
      `${surelyWorse} of ${rowsA.length}; below 0: ${surelyBetter}`,
  );
  for (const scenario of [small, all]) {
    const pick = (f: (s: Scored) => boolean) => scored.filter((s) => s.scenario === scenario && f(s));
    const sum = summarise(
      pick(() => true),
      CHECKPOINTS,
    );
    console.log(`\nhistory ${scenario}: pooled over the held-out tasks' scored runs, by kind of curve`);
    printTable(
      [
        'kind',
        'runs',
        'baseline',
        'before',
        'vs baseline',
        '10%',
        'vs before',
        '30%',
        'cover before',
        'cover 10%',
        'width before',
        'width 10%',
      ],
      sum.map((k) => [
        k.kind,
        String(k.runs),
        k.baseline.toFixed(3),
        (k.errors[0] as number).toFixed(3),
        below(k.errors[0] as number, k.baseline),
        (k.errors[1] as number).toFixed(3),
        below(k.errors[1] as number, k.errors[0] as number),
        (k.errors[2] as number).toFixed(3),
        percent(k.coverage[0] as number),
        percent(k.coverage[1] as number),
        (k.widths[0] as number).toFixed(3),
        (k.widths[1] as number).toFixed(3),
      ]),
    );
  }
  // (b) and (c) on the accuracy curves, with their noise over tasks.
  const interval = (x: { below: number; low: number; median: number; high: number; skipped: number }) =>
    `${(100 * x.below).toFixed(1)}% (resampling tasks: median ${(100 * x.median).toFixed(1)}%, 5th–95th percentile ` +
    `${(100 * x.low).toFixed(1)}% … ${(100 * x.high).toFixed(1)}%${x.skipped ? `, ${x.skipped} draws with a zero reference left out` : ''})`;
  for (const scenario of [small, all]) {
    const acc = (upTo: number) =>
      scored
        .filter((x) => x.scenario === scenario && x.kind === 'accuracy' && x.upTo === upTo)
        .sort((x, y) => (x.task < y.task ? -1 : x.task > y.task ? 1 : x.run < y.run ? -1 : 1));
    const before = acc(0);
    const at10 = acc(0.1);
    if (before.length === 0) continue;
    if (at10.length !== before.length || at10.some((x, i) => x.run !== before[i]?.run))
      throw new Error(
        `meta-relevance: the 10% and before-start predictions of ${scenario} are not of the same runs`,
      );
    const b = taskBootstrapBelow(
      before.map((x) => ({ task: x.task, error: x.error, reference: x.baselineError })),
      uniform,
    );
    const c = taskBootstrapBelow(
      at10.map((x, i) => ({ task: x.task, error: x.error, reference: (before[i] as Scored).error })),
      uniform,
    );
    console.log(`history ${scenario}, accuracy: (b) before, below the baseline ${interval(b)}`);
    console.log(`history ${scenario}, accuracy: (c) 10%, below before ${interval(c)}`);
  }
  // Task by task, per kind of curve: the worst held-out task and the share of tasks whose
  // prediction gets worse once evals arrive, beside the pooled medians (each task its own fold).
  for (const scenario of [small, all]) {
    console.log(
      `\nhistory ${scenario}: task by task, by kind of curve (each task's median error over its scored runs)`,
    );
    const kinds = [...new Set(scored.filter((x) => x.scenario === scenario).map((x) => x.kind))].sort();
    const rowsK = kinds.map((kind) => {
      const tasks = [
        ...new Set(scored.filter((x) => x.scenario === scenario && x.kind === kind).map((x) => x.task)),
      ].sort();
      const at = (task: string, upTo: number) =>
        median(
          scored
            .filter((x) => x.scenario === scenario && x.task === task && x.upTo === upTo)
            .map((x) => x.error),
        );
      const meanOf = (xs: number[]) => xs.reduce((t, x) => t + x, 0) / Math.max(1, xs.length);
      const cells = [0.1, 0.3].map((upTo) => {
        const changes = tasks.map((task) => ({ task, change: at(task, upTo) - at(task, 0) }));
        const worst = changes.reduce((w, c) => (c.change > w.change ? c : w));
        return {
          mean: meanOf(tasks.map((task) => at(task, upTo))),
          worst: worst.change > 0 ? `${signed(worst.change)} ${worst.task}` : 'none worse',
          worse: changes.filter((c) => c.change > 0).length,
          worse005: changes.filter((c) => c.change > 0.005).length,
        };
      });
      return [
        kind,
        String(tasks.length),
        meanOf(tasks.map((task) => at(task, 0))).toFixed(3),
        ...cells.flatMap((c) => [
          c.mean.toFixed(3),
          c.worst,
          `${c.worse} (${percent(c.worse / tasks.length)})`,
          `${c.worse005} (${percent(c.worse005 / tasks.length)})`,
        ]),
      ];
    });
    printTable(
      [
        'kind',
        'tasks',
        'mean before',
        'mean 10%',
        'worst task at 10% vs before',
        'worse at 10%',
        '> 0.005',
        'mean 30%',
        'worst task at 30% vs before',
        'worse at 30%',
        '> 0.005',
      ],
      rowsK,
    );
  }
  console.log(
    '\naims: (b) accuracy, before: ≥ 40% below the baseline; (c) 10%: ≥ 25% below before, every kind;',
  );
  console.log('      (d) coverage 75–85%, median width ≤ 0.4 of the budget');
  console.log(
    `time: load ${(loadMs / 1000).toFixed(1)} s, ${folds} folds (fit + predict) ${(fitMs / 1000).toFixed(1)} s ${inMemory ? 'in memory' : `on ${usePostgres ? 'Postgres' : 'PGlite'}`}`,
  );
  console.log(hostLine());
} finally {
  await store?.close();
}
