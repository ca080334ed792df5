// Eval ingestion into Postgres, side by side in one run, into the same `evals` table of a database
// of its own (created, migrated and dropped by the bench):
// - COPY … FROM STDIN (psql's \copy, CSV): the floor for getting rows into the table;
// - the store's batched, idempotent path (upsertEvals: multi-row INSERT … ON CONFLICT), both
//   conflict modes, and a retry of the same rows (every row a duplicate);
// - one INSERT per eval (autocommit), the naive path;
// - the decision service's report (eval + decision + run progress in one transaction per eval):
//   what a worker's eval costs end to end, on a sample of REPORTS evals.
// Every method starts from an empty table and is timed from rows in memory to rows committed
// (CSV or SQL built inside the timed window); each is measured ROUNDS times, the best kept.
// psql's process start, timed separately, is taken off COPY's time.
//
//   nice -n 10 npx tsx bench/ingestion.ts [EVALS] [REPORTS] [ROUNDS]      (default 20000 1000 2)
//   nice -n 10 npx tsx bench/ingestion.ts 40000 1000 1                    (the README's numbers)
import { spawn } from 'node:child_process';
import { DecisionService } from '@curfew/decisions';
import { evals, insertExperimentRuns, type NewEval, type StoreDatabase, upsertEvals } from '@curfew/store';
import { count, sql } from 'drizzle-orm';
import { benchDatabase } from './bench-database';
import { hostLine, percent, positiveInt, printTable } from './bench-support';
import { EVAL_TOKENS, fixtureEm, seedStartedExperiment } from './decision-fixture';

const EVALS = positiveInt(2, 20_000);
const REPORTS = positiveInt(3, 1_000);
const ROUNDS = positiveInt(4, 2);
const RUNS = 100;

const COLUMNS = [
  'run_id',
  'step',
  'tokens',
  'val_tokens',
  'train_loss',
  'val_loss',
  'em',
  'lr',
  'seq',
  'attempt',
];

function evalRows(runIds: readonly string[], count: number): NewEval[] {
  const perRun = Math.ceil(count / runIds.length);
  const rows: NewEval[] = [];
  for (let step = 1; step <= perRun; step++)
    for (const [trial, runId] of runIds.entries()) {
      if (rows.length === count) return rows;
      const em = fixtureEm(trial, runIds.length, step);
      rows.push({
        runId,
        step,
        tokens: step * EVAL_TOKENS,
        valTokens: step * 10,
        trainLoss: 1.1 - em,
        valLoss: 1 - em,
        em,
        lr: 0.001,
        seq: rows.length + 1,
        attempt: 1,
      });
    }
  return rows;
}

function csvOf(rows: readonly NewEval[]): string {
  return rows
    .map((r) =>
      [r.runId, r.step, r.tokens, r.valTokens, r.trainLoss, r.valLoss, r.em, r.lr, r.seq, r.attempt].join(
        ',',
      ),
    )
    .join('\n')
    .concat('\n');
}

/** COPY through psql (argv, no shell), CSV on its standard input. */
function psqlCopy(url: string, csv: string | null): Promise<void> {
  const command =
    csv === null ? 'SELECT 1' : `\\copy evals(${COLUMNS.join(',')}) FROM pstdin WITH (FORMAT csv)`;
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['--no-psqlrc', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', command], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${stderr.trim()}`)),
    );
    child.stdin.end(csv ?? '');
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

interface Method {
  label: string;
  /** Evals it stores per round. */
  count: number;
  /** Runs once on an empty table (before the timed call: `prepare`). */
  prepare?: () => Promise<void>;
  run: () => Promise<unknown>;
}

async function bestSeconds(db: StoreDatabase, method: Method): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    await db.execute(sql`TRUNCATE evals`);
    await method.prepare?.();
    best = Math.min(best, await timed(method.run));
  }
  const [row] = await db.select({ n: count() }).from(evals);
  if (row?.n !== method.count)
    throw new Error(`${method.label}: stored ${row?.n} evals, expected ${method.count}`);
  return best;
}

async function seedRuns(db: StoreDatabase): Promise<string[]> {
  const runs = Array.from({ length: RUNS }, (_, trial) => ({
    id: `ingest/${trial}`,
    experimentId: 'ingest',
    trial,
    config: {},
  }));
  await insertExperimentRuns(
    db,
    { id: 'ingest', name: 'ingest', spec: {}, taskFamily: 'reverse', policy: 'none', status: 'running' },
    runs,
  );
  return runs.map((r) => r.id);
}

/** The decision service's reports: REPORTS evals of a fresh experiment (policy none), round-robin. */
async function reportMethod(db: StoreDatabase): Promise<Method> {
  let round = 0;
  let runIds: string[] = [];
  const service = new DecisionService({ db });
  const evalsPerRun = Math.ceil(REPORTS / RUNS);
  return {
    label: 'decision service report (eval + decision, 1 tx each)',
    count: REPORTS,
    prepare: async () => {
      runIds = await seedStartedExperiment(db, {
        id: `reports-${round++}`,
        runs: RUNS,
        evals: evalsPerRun,
        policy: { name: 'none' },
      });
    },
    run: async () => {
      let sent = 0;
      for (let step = 1; step <= evalsPerRun; step++)
        for (const [trial, runId] of runIds.entries()) {
          if (sent++ === REPORTS) return;
          const em = fixtureEm(trial, RUNS, step);
          await service.report({
            runId,
            attempt: 1,
            step,
            tokens: step * EVAL_TOKENS,
            metrics: { em, loss: 1 - em },
          });
        }
    },
  };
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  const { db } = database.store;
  try {
    const rows = evalRows(await seedRuns(db), EVALS);
    // psql's own start (median of 3) is taken off COPY's time: the floor is COPY, not a process start.
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) starts.push(await timed(() => psqlCopy(database.url, null)));
    const psqlStart = starts.sort((a, b) => a - b)[1] ?? 0;
    const methods: Method[] = [
      {
        label: 'COPY FROM STDIN (psql \\copy, CSV)',
        count: EVALS,
        run: () => psqlCopy(database.url, csvOf(rows)),
      },
      {
        label: 'upsertEvals, ON CONFLICT DO NOTHING',
        count: EVALS,
        run: () => upsertEvals(db, rows, { onConflict: 'ignore' }),
      },
      { label: 'upsertEvals, ON CONFLICT DO UPDATE', count: EVALS, run: () => upsertEvals(db, rows) },
      {
        label: 'upsertEvals again (every row a duplicate)',
        count: EVALS,
        prepare: async () => {
          await upsertEvals(db, rows);
        },
        run: () => upsertEvals(db, rows),
      },
      {
        label: 'one INSERT per eval (autocommit)',
        count: EVALS,
        run: async () => {
          for (const row of rows) await db.insert(evals).values(row);
        },
      },
      await reportMethod(db),
    ];
    const seconds: number[] = [];
    for (const method of methods) seconds.push(await bestSeconds(db, method));
    seconds[0] = Math.max((seconds[0] ?? 0) - psqlStart, 1e-3);
    const copyRate = EVALS / seconds[0];
    console.log(hostLine());
    console.log(
      `${EVALS} evals over ${RUNS} runs (${REPORTS} through the decision service), best of ${ROUNDS}; psql start ${(psqlStart * 1000).toFixed(0)} ms (taken off COPY's time)\n`,
    );
    printTable(
      ['method', 'evals/s', 'of COPY'],
      methods.map((m, i) => {
        const rate = m.count / (seconds[i] ?? 1);
        return [m.label, rate.toFixed(0), percent(rate / copyRate)];
      }),
    );
  } finally {
    await database.drop();
  }
}

await main();
