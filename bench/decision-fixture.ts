// An experiment seeded the way the scheduler stores one, with every run's first attempt started
// and resumed through the decision service, ready for reports (the ingestion and latency benches).
import { DecisionService } from '@curfew/decisions';
import { formatProblem, parseSpec } from '@curfew/spec';
import { insertExperimentRuns, type StoreDatabase } from '@curfew/store';

export interface FixtureOptions {
  id: string;
  runs: number;
  /** Evals each run reports at most (the budget is this many eval intervals). */
  evals: number;
  policy: Record<string, unknown>;
}

/** Tokens between two evals of a fixture run. */
export const EVAL_TOKENS = 100;

/** Stores the experiment and its runs; starts and resumes attempt 1 of every run. Returns the run ids. */
export async function seedStartedExperiment(db: StoreDatabase, options: FixtureOptions): Promise<string[]> {
  const filename = `${options.id}.json`;
  const parsed = parseSpec(
    JSON.stringify({
      name: 'bench',
      task: { family: 'reverse' },
      model: { family: 'mlp' },
      budget: { max_tokens_per_run: options.evals * EVAL_TOKENS },
      eval: { every_tokens: EVAL_TOKENS },
      policy: options.policy,
    }),
    { filename },
  );
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => formatProblem(filename, p)).join('\n'));
  const runs = Array.from({ length: options.runs }, (_, trial) => ({
    id: `${options.id}/${trial}`,
    experimentId: options.id,
    trial,
    config: { lr: 0.001 * (trial + 1) },
    budgetTokens: options.evals * EVAL_TOKENS,
  }));
  await insertExperimentRuns(
    db,
    {
      id: options.id,
      name: 'bench',
      spec: parsed.spec as unknown as Record<string, unknown>,
      taskFamily: 'reverse',
      policy: String(options.policy.name),
      status: 'running',
    },
    runs,
  );
  const service = new DecisionService({ db });
  for (const run of runs) {
    const started = await service.startAttempt({ runId: run.id, workerId: 'bench:1', backend: 'cpu' });
    if (started.kind !== 'started') throw new Error(`${run.id}: attempt refused (${started.reason})`);
    await service.resume({ runId: run.id, attempt: started.attempt, step: null, fromAttempt: null });
  }
  return runs.map((r) => r.id);
}

/**
 * A learning curve with noise, different per run: EM rises towards a ceiling that depends on the
 * trial and plateaus, as a sweep's runs do. Deterministic in (trial, step).
 */
export function fixtureEm(trial: number, runs: number, step: number): number {
  const ceiling = 0.4 + (0.55 * ((trial * 7919) % runs)) / runs;
  const noise = (((trial * 31 + step * 17) % 13) - 6) / 1000;
  return Math.max(0, Math.min(1, ceiling * (1 - Math.exp(-step / 8)) + noise));
}
