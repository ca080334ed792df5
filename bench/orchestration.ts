// What curfew adds to the training it orchestrates, side by side in one run: RUNS runs of a
// trainer that trains nothing and only reports EVALS evals (bench/report-only-trainer.ts),
// through the scheduler (in this process), the decision service (Postgres, a database of its own)
// and WORKERS curfew worker processes, against RUNS bare BullMQ jobs on WORKERS plain BullMQ
// worker processes making the same Redis round trips (the same payload added one by one with
// the same options, one progress update per eval, completion). Each side is measured with EVALS
// evals and with 1 (at most 400 runs), so the cost splits into a part per run and a part per
// eval (the slope).
// The clock runs from the submit (curfew) or the first add (bare) until every run has ended.
//
//   nice -n 10 npx tsx bench/orchestration.ts [RUNS] [EVALS] [WORKERS] [POLICY]   (default 200 10 4 none)
//   nice -n 10 npx tsx bench/orchestration.ts 2000                                  (the README's numbers)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createQueue, createRedis, enqueueJob, QUEUE_NAMES } from '@curfew/queue';
import { startScheduler } from '@curfew/scheduler';
import { type ExperimentSpec, expandSearch, experimentRecord, parseSpec } from '@curfew/spec';
import { experiments, FINAL_RUN_STATUSES, runs, type StoreDatabase, submitExperiment } from '@curfew/store';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { benchDatabase } from './bench-database';
import { hostLine, positiveInt, printTable } from './bench-support';

const RUNS = positiveInt(2, 200);
const EVALS = positiveInt(3, 10);
const WORKERS = positiveInt(4, 4);
const POLICY = process.argv[5] ?? 'none';
/** Runs of the 1-eval pass (per-run figures do not need all of them; keeps a full run short). */
const ONE_EVAL_RUNS = Math.min(RUNS, 400);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const EVAL_TOKENS = 100;
const WORKER_ENTRY = path.join(import.meta.dirname, 'orchestration-worker.ts');

function benchSpec(evals: number, trials: number): ExperimentSpec {
  const parsed = parseSpec(
    JSON.stringify({
      name: `orch-${evals}`,
      task: { family: 'reverse' },
      model: { family: 'mlp' },
      search: { method: 'random', trials, seed: 1, space: { lr: { loguniform: [1e-4, 1e-2] } } },
      budget: { max_tokens_per_run: evals * EVAL_TOKENS },
      eval: { every_tokens: EVAL_TOKENS },
      policy: { name: POLICY },
      resources: { max_parallel: 1024 },
    }),
    { filename: 'orchestration.json' },
  );
  if (!parsed.ok) throw new Error(`bench spec: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return parsed.spec;
}

/** WORKERS worker processes of one kind on one queue prefix, each up once it says `ready`. */
async function startWorkers(mode: 'curfew' | 'bare', evals: number, env: NodeJS.ProcessEnv) {
  const children: ChildProcess[] = [];
  const ready = Array.from({ length: WORKERS }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY, mode, String(evals)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${mode} worker exited ${code} before it was ready`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line === 'ready') resolve();
      });
    });
  });
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.removeAllListeners('exit');
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    await Promise.all(ready);
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

/** Waits for `done`, giving up after a minute plus a second per run (a stuck run must not hang the bench). */
async function waitFor(done: () => Promise<boolean>, pollMs: number, runs: number): Promise<void> {
  const timeoutMs = 60_000 + 1_000 * runs;
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench: not done after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Wall ms per job for `count` bare BullMQ jobs with `evals` progress updates each. */
async function bareMs(evals: number, count: number): Promise<number> {
  const prefix = `{bench-${randomUUID().slice(0, 8)}}`;
  const stop = await startWorkers('bare', evals, { REDIS_URL, CURFEW_QUEUE_PREFIX: prefix });
  const redis = createRedis(REDIS_URL, { blocking: false });
  const queue = createQueue(QUEUE_NAMES.runs, redis, prefix);
  try {
    const spec = benchSpec(evals, count);
    const started = performance.now();
    for (const config of expandSearch(spec)) {
      const runId = `bare-${evals}/${config.trial}`;
      const data = { runId, experimentId: `bare-${evals}`, trial: config.trial, spec, params: config.params };
      await enqueueJob(queue, 'train-run', data, { jobId: runId, priority: spec.resources.priority });
    }
    await waitFor(async () => (await queue.getJobCountByTypes('completed')) === count, 20, count);
    return (performance.now() - started) / count;
  } finally {
    await stop();
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  }
}

async function endedRuns(db: StoreDatabase, experimentId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(runs)
    .where(and(eq(runs.experimentId, experimentId), inArray(runs.status, [...FINAL_RUN_STATUSES])));
  return row?.n ?? 0;
}

async function runsWithStatus(db: StoreDatabase, experimentId: string, status: 'failed'): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(runs)
    .where(and(eq(runs.experimentId, experimentId), eq(runs.status, status)));
  return row?.n ?? 0;
}

/** Where the time went: from the submit to the first run's start, and inside runs (start → end). */
async function timeline(db: StoreDatabase, experimentId: string, seconds: number): Promise<void> {
  const [row] = await db
    .select({
      first: sql<number>`extract(epoch from min(${runs.startedAt}) - min(${experiments.createdAt}))::float8`,
      inside: sql<number>`extract(epoch from sum(${runs.finishedAt} - ${runs.startedAt}))::float8`,
    })
    .from(runs)
    .innerJoin(experiments, eq(experiments.id, runs.experimentId))
    .where(eq(runs.experimentId, experimentId));
  console.error(
    `  ${experimentId}: ${seconds.toFixed(1)} s; submit → first start ${Number(row?.first).toFixed(2)} s; ` +
      `inside runs ${(Number(row?.inside) / WORKERS).toFixed(1)} s per worker`,
  );
}

/** Wall ms per run for `count` curfew runs of `evals` evals: submit → scheduler → workers → every run ended. */
async function curfewMs(
  db: StoreDatabase,
  databaseUrl: string,
  evals: number,
  count: number,
): Promise<number> {
  const prefix = `{bench-${randomUUID().slice(0, 8)}}`;
  const home = await mkdtemp(path.join(tmpdir(), 'curfew-orch-'));
  const stop = await startWorkers('curfew', evals, {
    REDIS_URL,
    DATABASE_URL: databaseUrl,
    CURFEW_QUEUE_PREFIX: prefix,
    CURFEW_HOME: home,
    CURFEW_BACKEND: 'cpu',
  });
  const connection = createRedis(REDIS_URL, { blocking: true });
  const scheduler = startScheduler({
    db,
    connection,
    queuePrefix: prefix,
    budgetOf: (spec) => spec.budget?.max_tokens_per_run ?? evals * EVAL_TOKENS,
    log: (line) => {
      if (/retrying|failed|lost/.test(line)) console.error(line);
    },
  });
  const experiments = createQueue(QUEUE_NAMES.experiments, connection, prefix);
  try {
    const spec = benchSpec(evals, count);
    const started = performance.now();
    const id = await submitExperiment(db, experimentRecord(spec));
    await enqueueJob(experiments, 'expand-experiment', { experimentId: id }, { jobId: id });
    await waitFor(async () => (await endedRuns(db, id)) === count, 100, count);
    const seconds = (performance.now() - started) / 1000;
    await timeline(db, id, seconds);
    const failed = await runsWithStatus(db, id, 'failed');
    if (failed > 0) throw new Error(`${id}: ${failed} of ${count} runs failed`);
    return (seconds * 1000) / count;
  } finally {
    await stop();
    await scheduler.close();
    await createQueue(QUEUE_NAMES.runs, connection, prefix).obliterate({ force: true });
    await experiments.obliterate({ force: true });
    await experiments.close();
    await connection.quit();
    await rm(home, { recursive: true, force: true });
  }
}

const ms = (x: number) => x.toFixed(2);

/**
 * The floor under every decision: ms of one durable Postgres commit here (a one-row INSERT in its
 * own transaction, so one WAL flush), and of one round trip (SELECT 1), median of 50 each.
 */
async function commitAndRoundTripMs(db: StoreDatabase): Promise<{ commit: number; roundTrip: number }> {
  const median = async (statement: ReturnType<typeof sql>) => {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      await db.execute(statement);
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[25] ?? Number.NaN;
  };
  await db.execute(sql`create table bench_commit (x int)`);
  const commit = await median(sql`insert into bench_commit values (1)`);
  await db.execute(sql`drop table bench_commit`);
  return { commit, roundTrip: await median(sql`select 1`) };
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  try {
    const bare = { many: await bareMs(EVALS, RUNS), one: await bareMs(1, ONE_EVAL_RUNS) };
    const curfew = {
      many: await curfewMs(database.store.db, database.url, EVALS, RUNS),
      one: await curfewMs(database.store.db, database.url, 1, ONE_EVAL_RUNS),
    };
    const floor = await commitAndRoundTripMs(database.store.db);
    const perEval = (x: { many: number; one: number }) => (x.many - x.one) / (EVALS - 1 || 1);
    const perRun = (x: { many: number; one: number }) => x.one - perEval(x);
    console.log(hostLine());
    console.log(
      `${RUNS} runs (${ONE_EVAL_RUNS} with 1 eval) on ${WORKERS} worker processes (1 run at a time each), policy ${POLICY}; ms are wall time per run of the batch\n`,
    );
    printTable(
      ['', 'bare BullMQ', 'curfew', 'curfew / bare', 'curfew adds'],
      [
        [
          `ms per run (${EVALS} evals)`,
          ms(bare.many),
          ms(curfew.many),
          (curfew.many / bare.many).toFixed(2),
          ms(curfew.many - bare.many),
        ],
        [
          'ms per run (1 eval)',
          ms(bare.one),
          ms(curfew.one),
          (curfew.one / bare.one).toFixed(2),
          ms(curfew.one - bare.one),
        ],
        ['  of which per run', ms(perRun(bare)), ms(perRun(curfew)), '', ms(perRun(curfew) - perRun(bare))],
        [
          '  of which per eval',
          ms(perEval(bare)),
          ms(perEval(curfew)),
          '',
          ms(perEval(curfew) - perEval(bare)),
        ],
      ],
    );
    console.log(
      `\nPostgres here: a commit ${ms(floor.commit)} ms, a round trip ${ms(floor.roundTrip)} ms. Every request of an ` +
        `experiment's runs commits under the experiment's row lock, so they do not overlap: a run costs at least ` +
        `${EVALS + 3} commits (start, resume, ${EVALS} reports, finish) of wall time, whatever the number of workers.`,
    );
  } finally {
    await database.drop();
  }
}

await main();
