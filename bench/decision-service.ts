// The decision service's report path, side by side: one instance that keeps each experiment in
// memory and catches up on the events above its watermark, against one that rebuilds the whole
// experiment from the database at every report (what rereading every peer's evals at every eval
// costs, as workers did before). Same experiment, same reports, same decisions.
//
//   npx tsx bench/decision-service.ts [RUNS] [EVALS]      (DATABASE_URL: a Postgres server; else PGlite)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DecisionService } from '@curfew/decisions';
import { parseSpec } from '@curfew/spec';
import { insertExperimentRuns, openStore, type StoreDatabase } from '@curfew/store';
import { hostLine, printTable } from './bench-support';

const RUNS = Number(process.argv[2] ?? 16);
const EVALS = Number(process.argv[3] ?? 40);

async function seed(db: StoreDatabase, id: string): Promise<string[]> {
  const parsed = parseSpec(
    JSON.stringify({
      name: 'bench',
      task: { family: 'reverse' },
      model: { family: 'mlp' },
      budget: { max_tokens_per_run: EVALS * 100 },
      eval: { every_tokens: 100 },
      policy: { name: 'median', startup_runs: 1, warmup_evals: 1 },
    }),
    { filename: 'bench.json' },
  );
  if (!parsed.ok) throw new Error('bad bench spec');
  const runs = Array.from({ length: RUNS }, (_, trial) => ({
    id: `${id}/${trial}`,
    experimentId: id,
    trial,
    config: { lr: 0.001 * (trial + 1) },
    budgetTokens: EVALS * 100,
  }));
  const spec = parsed.spec as unknown as Record<string, unknown>;
  await insertExperimentRuns(
    db,
    { id, name: 'bench', spec, taskFamily: 'reverse', policy: 'median', status: 'running' },
    runs,
  );
  return runs.map((r) => r.id);
}

/** Reports every run's evals round-robin (the order concurrent workers would); returns ms per report. */
async function reportAll(db: StoreDatabase, id: string, serviceFor: () => DecisionService): Promise<number> {
  const runIds = await seed(db, id);
  const setup = new DecisionService({ db });
  for (const runId of runIds) {
    await setup.startAttempt({ runId, workerId: 'bench:1', backend: 'cpu' });
    await setup.resume({ runId, attempt: 1, step: null, fromAttempt: null });
  }
  const started = performance.now();
  for (let k = 1; k <= EVALS; k++) {
    for (const [trial, runId] of runIds.entries()) {
      const em = Math.min(1, (k / EVALS) * (0.5 + trial / (2 * RUNS)));
      await serviceFor().report({
        runId,
        attempt: 1,
        step: k,
        tokens: k * 100,
        metrics: { em, loss: 1 - em },
      });
    }
  }
  return (performance.now() - started) / (RUNS * EVALS);
}

const dataDir = process.env.DATABASE_URL ? undefined : await mkdtemp(path.join(tmpdir(), 'curfew-bench-'));
const store = await openStore(
  process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { dataDir },
);
try {
  console.log(hostLine());
  console.log(
    `${store.kind}: ${RUNS} runs × ${EVALS} evals, policy median (compares every run with its peers)\n`,
  );
  const stamp = Date.now().toString(36);
  const kept = new DecisionService({ db: store.db });
  const incremental = await reportAll(store.db, `bench-${stamp}-1`, () => kept);
  const rebuilt = await reportAll(store.db, `bench-${stamp}-2`, () => new DecisionService({ db: store.db }));
  printTable(
    ['report path', 'ms per report', 'relative'],
    [
      ['kept in memory, catch up above the watermark', incremental.toFixed(2), '1.00'],
      ['rebuilt from the database at every report', rebuilt.toFixed(2), (rebuilt / incremental).toFixed(2)],
    ],
  );
} finally {
  await store.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
