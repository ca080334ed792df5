// Latency of one eval through the decision service against Postgres (eval, decision and state in
// one transaction under the experiment's lock), in an experiment of PEERS runs that already
// reported SEEDED evals each: policy `auto` (cross-run rules over every peer) side by side with
// `none` (no policy work), same experiment shape, same reports, same database, one run.
// Reports go round-robin over the runs still training, as concurrent workers would send them; a
// run that auto stops drops out. p50 and p99 of TIMED reports, and the seeding's mean.
//
//   nice -n 10 npx tsx bench/decision-latency.ts [PEERS] [SEEDED] [TIMED]      (default 1000 3 500)
import { DecisionService } from '@curfew/decisions';
import { benchDatabase } from './bench-database';
import { hostLine, positiveInt, printTable } from './bench-support';
import { EVAL_TOKENS, fixtureEm, seedStartedExperiment } from './decision-fixture';

const PEERS = positiveInt(2, 1_000);
const SEEDED = positiveInt(3, 3);
const TIMED = positiveInt(4, 500);
/** Evals a run could report: the budget outlasts the bench. */
const BUDGET_EVALS = 1_000;

interface Latencies {
  seedMeanMs: number;
  timedMs: number[];
  stopped: number;
}

/** Reports round-robin over the live runs until `count` reports are sent; the ms of each. */
async function reportRound(
  service: DecisionService,
  runIds: readonly string[],
  live: Map<string, number>,
  count: number,
): Promise<number[]> {
  const ms: number[] = [];
  while (ms.length < count && live.size > 0) {
    for (const [trial, runId] of runIds.entries()) {
      const step = live.get(runId);
      if (step === undefined || ms.length === count) continue;
      const em = fixtureEm(trial, runIds.length, step);
      const started = performance.now();
      const { decision } = await service.report({
        runId,
        attempt: 1,
        step,
        tokens: step * EVAL_TOKENS,
        metrics: { em, loss: 1 - em },
      });
      ms.push(performance.now() - started);
      if (decision.kind === 'stop') live.delete(runId);
      else live.set(runId, step + 1);
    }
  }
  return ms;
}

async function measure(policy: Record<string, unknown>, id: string): Promise<Latencies> {
  const database = await benchDatabase();
  try {
    const { db } = database.store;
    const runIds = await seedStartedExperiment(db, { id, runs: PEERS, evals: BUDGET_EVALS, policy });
    const service = new DecisionService({ db });
    const live = new Map(runIds.map((runId) => [runId, 1]));
    const seeding = await reportRound(service, runIds, live, PEERS * SEEDED);
    const timedMs = await reportRound(service, runIds, live, TIMED);
    if (timedMs.length < TIMED) throw new Error(`${id}: every run stopped before ${TIMED} timed reports`);
    const seedMeanMs = seeding.reduce((a, b) => a + b, 0) / seeding.length;
    return { seedMeanMs, timedMs, stopped: PEERS - live.size };
  } finally {
    await database.drop();
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const auto = await measure({ name: 'auto', tolerance: 0.005 }, 'latency-auto');
  const none = await measure({ name: 'none' }, 'latency-none');
  console.log(hostLine());
  console.log(`${PEERS} runs × ${SEEDED} evals reported first; then ${TIMED} timed reports\n`);
  const rows = [
    ['auto (tolerance 0.005)', auto],
    ['none (no policy work)', none],
  ] as const;
  const p50None = quantile(
    [...none.timedMs].sort((a, b) => a - b),
    0.5,
  );
  printTable(
    ['policy', 'p50 ms', 'p99 ms', 'mean ms', 'seeding mean ms', 'runs stopped', 'p50 / none'],
    rows.map(([label, l]) => {
      const sorted = [...l.timedMs].sort((a, b) => a - b);
      const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
      return [
        label,
        quantile(sorted, 0.5).toFixed(2),
        quantile(sorted, 0.99).toFixed(2),
        mean.toFixed(2),
        l.seedMeanMs.toFixed(2),
        String(l.stopped),
        (quantile(sorted, 0.5) / p50None).toFixed(2),
      ];
    }),
  );
}

await main();
