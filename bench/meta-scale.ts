// The meta-learner at scale: refit time and peak memory, and curfew_predict_stop latency, with
// about 10,000 and 100,000 past runs. The dev curves are loaded once as finished runs into a
// database of its own on the Postgres server of TEST_DATABASE_URL, then copied in SQL (copy k of
// a task is the task `<task>@copy<k>`, a task of its own) until the history has the size asked.
// Each size is measured in a fresh child process, so its peak RSS is the refit's own (plus
// node's baseline, printed beside it). Every prediction is asked of curfew_predict_stop and of the
// function of migrations/0007 it replaced, alternately first, in the same database: the two
// latencies side by side, and whether the answers are the same to the last bit.
//
//   npx tsx bench/meta-scale.ts [--sizes 10000,100000] [CURVES.jsonl...]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  checkpointOf,
  curvesFeatures,
  fitMetaModel,
  loadCurvesAsHistory,
  predictStopMany,
  type StopPrediction,
} from '@curfew/meta';
import { installPredictStop0007, predictStopMany0007 } from '@curfew/meta/testing';
import { openStore, type StoreDatabase } from '@curfew/store';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { hostLine, printTable } from './bench-support';
import { benchCurves } from './curve-files';
import { median } from './meta-scoring';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREDICTIONS = 100;

interface ChildResult {
  runs: number;
  tasks: number;
  kept: number;
  refitMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
  heapAfterMb: number;
  predictP50Ms: number;
  predictP95Ms: number;
  /** The same predictions through 0007's function. */
  oldP50Ms: number;
  oldP95Ms: number;
  /** Predictions whose answers were the same from both functions. */
  same: number;
  /** Predictions answered as before the start because the reached checkpoint defers for the run's kind. */
  deferred: number;
}

const mb = (bytes: number) => bytes / (1024 * 1024);

/** In the child: one refit and PREDICTIONS single predictions, measured. */
async function child(url: string, curveArgs: string[]): Promise<void> {
  const curves = benchCurves('meta-scale.ts', curveArgs);
  const features = curvesFeatures(curves);
  const store = await openStore({ databaseUrl: url, migrate: false });
  try {
    const rssBefore = process.resourceUsage().maxRSS * 1024;
    const started = performance.now();
    const fitted = await fitMetaModel(store.db, { notes: 'bench: meta-scale' });
    const refitMs = performance.now() - started;
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const heapAfter = process.memoryUsage().heapUsed;
    await installPredictStop0007(store.db);
    const latencies: number[] = [];
    const oldLatencies: number[] = [];
    let same = 0;
    let deferred = 0;
    for (let i = 0; i < PREDICTIONS; i++) {
      const k = Math.floor((i * curves.length) / PREDICTIONS);
      const c = curves[k];
      if (!c) continue;
      const evals = i % 2 === 0 ? [] : c.evals.filter((e) => e.tokens <= 0.1 * c.budgetTokens);
      const query = [{ id: c.id, features: features[k] ?? {}, budgetTokens: c.budgetTokens, evals }];
      const timed = async (predict: typeof predictStopMany, into: number[]) => {
        const t = performance.now();
        const p = (await predict(store.db, query)).get(c.id);
        into.push(performance.now() - t);
        return p;
      };
      // Which goes first alternates, with and without evals alike.
      const nowFirst = Math.floor(i / 2) % 2 === 0;
      let old: StopPrediction | undefined;
      if (!nowFirst) old = await timed(predictStopMany0007, oldLatencies);
      const p = await timed(predictStopMany, latencies);
      if (nowFirst) old = await timed(predictStopMany0007, oldLatencies);
      // Answered at the checkpoint the evals reached, or as before the start where that checkpoint
      // does not answer for the run's kind (migrations/0009; 0007's function knows no kinds).
      const reached = evals.length > 0 ? checkpointOf(evals, c.budgetTokens) : 0;
      if (!p || (p.checkpoint !== reached && p.checkpoint !== 0))
        throw new Error(`meta-scale: bad prediction for ${c.id}`);
      if (p.checkpoint !== reached) deferred++;
      else if (isDeepStrictEqual(p, old)) same++;
    }
    latencies.sort((a, b) => a - b);
    oldLatencies.sort((a, b) => a - b);
    const p95 = (xs: number[]) => xs[Math.floor(0.95 * (xs.length - 1))] as number;
    const result: ChildResult = {
      runs: fitted.state.representatives.of,
      tasks: fitted.state.loto.tasks,
      kept: fitted.state.representatives.kept,
      refitMs,
      rssBeforeMb: mb(rssBefore),
      peakRssMb: mb(peakRss),
      heapAfterMb: mb(heapAfter),
      predictP50Ms: median(latencies),
      predictP95Ms: p95(latencies),
      oldP50Ms: median(oldLatencies),
      oldP95Ms: p95(oldLatencies),
      same,
      deferred,
    };
    console.log(JSON.stringify(result));
  } finally {
    await store.close();
  }
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Copies the original runs (with their experiments and evals) as copies from..to of every task. */
async function copyHistory(db: StoreDatabase, from: number, to: number): Promise<void> {
  await db.execute(sql`
    INSERT INTO experiments (id, name, spec, task_family, policy, status)
    SELECT e.id || '@copy' || k, e.name || '@copy' || k, e.spec, e.task_family, e.policy, e.status
    FROM experiments e CROSS JOIN generate_series(${from}::int, ${to}::int) k
    WHERE e.id NOT LIKE '%@copy%'`);
  await db.execute(sql`
    INSERT INTO runs (id, experiment_id, trial, config, status, budget_tokens, tokens_used)
    SELECT r.id || '@copy' || k, r.experiment_id || '@copy' || k, r.trial,
      jsonb_set(r.config, '{curve,task}', to_jsonb((r.config -> 'curve' ->> 'task') || '@copy' || k)),
      r.status, r.budget_tokens, r.tokens_used
    FROM runs r CROSS JOIN generate_series(${from}::int, ${to}::int) k
    WHERE r.id NOT LIKE '%@copy%'`);
  await db.execute(sql`
    INSERT INTO evals (run_id, step, tokens, em)
    SELECT v.run_id || '@copy' || k, v.step, v.tokens, v.em
    FROM evals v CROSS JOIN generate_series(${from}::int, ${to}::int) k
    WHERE v.run_id NOT LIKE '%@copy%'`);
  await db.execute(sql`ANALYZE runs`);
  await db.execute(sql`ANALYZE evals`);
}

async function parent(argv: string[]): Promise<void> {
  const sizesAt = argv.indexOf('--sizes');
  const sizes = (sizesAt >= 0 ? (argv[sizesAt + 1] ?? '') : '10000,100000').split(',').map(Number);
  if (sizes.some((n) => !(Number.isInteger(n) && n > 0))) {
    console.error(
      `meta-scale: --sizes needs positive whole numbers separated by commas, got ${argv[sizesAt + 1]}`,
    );
    process.exit(2);
  }
  const curveArgs = argv.filter((a, i) => a !== '--sizes' && !(sizesAt >= 0 && i === sizesAt + 1));
  const curves = benchCurves('meta-scale.ts', curveArgs);
  const name = `curfew_bench_scale_${process.pid}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });
  const rows: ChildResult[] = [];
  try {
    await loadCurvesAsHistory(store.db, curves);
    let copies = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const need = Math.max(0, Math.ceil(size / curves.length) - 1);
      if (need > copies) await copyHistory(store.db, copies + 1, need);
      copies = Math.max(copies, need);
      const self = fileURLToPath(import.meta.url);
      const out = spawnSync(
        process.execPath,
        ['--import', 'tsx', self, '--child', url.toString(), ...curveArgs],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        },
      );
      if (out.status !== 0) throw new Error(`meta-scale: the measuring process failed:\n${out.stderr}`);
      rows.push(JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as ChildResult);
    }
  } finally {
    await store.close();
    await admin(`DROP DATABASE ${name}`);
  }
  console.log(
    `meta-learner at scale (Postgres, ${PREDICTIONS} single predictions per size, half with evals to 10%)`,
  );
  console.log(hostLine());
  printTable(
    [
      'past runs',
      'tasks',
      'kept',
      'refit',
      'peak RSS',
      'node before fit',
      'heap after',
      'predict p50',
      'predict p95',
      '0007 p50',
      '0007 p95',
      '0007/now p50',
      'same answers',
      'deferred to 0',
    ],
    rows.map((r) => [
      r.runs.toLocaleString('en-US'),
      String(r.tasks),
      String(r.kept),
      `${(r.refitMs / 1000).toFixed(1)} s`,
      `${r.peakRssMb.toFixed(0)} MB`,
      `${r.rssBeforeMb.toFixed(0)} MB`,
      `${r.heapAfterMb.toFixed(0)} MB`,
      `${r.predictP50Ms.toFixed(1)} ms`,
      `${r.predictP95Ms.toFixed(1)} ms`,
      `${r.oldP50Ms.toFixed(1)} ms`,
      `${r.oldP95Ms.toFixed(1)} ms`,
      `${(r.oldP50Ms / r.predictP50Ms).toFixed(2)}×`,
      `${r.same} of ${PREDICTIONS - r.deferred}`,
      String(r.deferred),
    ]),
  );
  console.log('aims at 100,000 runs: refit ≤ 60 s and ≤ 500 MB; prediction ≤ 10 ms');
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await child(argv[1] as string, argv.slice(2));
else await parent(argv);
