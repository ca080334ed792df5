import { parseSpec } from '@curfew/spec';
import { insertExperimentRuns, type StoreDatabase } from '@curfew/store';
import type { DecisionService } from './decision-service.js';
import type { EvalReportInput } from './requests/index.js';

/** Helpers for the service's tests (not exported from the package). */

export function specOf(policy: Record<string, unknown>, trials = 3) {
  const parsed = parseSpec(
    JSON.stringify({
      name: 'dec',
      task: { family: 'reverse', params: { length: 3, vocab: 5 } },
      model: { family: 'mlp' },
      search: { method: 'grid', space: { lr: { grid: [0.01, 0.02, 0.03, 0.04].slice(0, trials) } } },
      budget: { max_tokens_per_run: 1000 },
      eval: { every_tokens: 100 },
      policy,
    }),
    { filename: 'spec.json' },
  );
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  return parsed.spec;
}

/** An expanded experiment `dec-1` of `trials` runs (`dec-1/0`…), budget 1000 tokens each. */
export async function seedExperiment(db: StoreDatabase, policy: Record<string, unknown>, trials = 3) {
  const spec = specOf(policy, trials);
  const runs = Array.from({ length: trials }, (_, trial) => ({
    id: `dec-1/${trial}`,
    experimentId: 'dec-1',
    trial,
    config: { lr: 0.01 * (trial + 1) },
    budgetTokens: 1000,
  }));
  await insertExperimentRuns(
    db,
    {
      id: 'dec-1',
      name: 'dec',
      spec: spec as unknown as Record<string, unknown>,
      taskFamily: 'reverse',
      policy: String(policy.name),
      status: 'running',
    },
    runs,
  );
  return runs.map((r) => r.id);
}

/** Starts the run's next attempt from scratch; returns the attempt number. */
export async function beginFresh(service: DecisionService, runId: string): Promise<number> {
  const started = await service.startAttempt({ runId, workerId: 'test:1', backend: 'cpu' });
  if (started.kind !== 'started') throw new Error(`refused: ${started.reason}`);
  await service.resume({ runId, attempt: started.attempt, step: null, fromAttempt: null });
  return started.attempt;
}

/** The eval of a run at `step` (tokens = 10 × step) with this EM. */
export function evalAt(runId: string, attempt: number, step: number, em: number): EvalReportInput {
  return {
    runId,
    attempt,
    step,
    tokens: step * 10,
    metrics: { em, loss: 1 - em, perplexity: Math.exp(1 - em), train_loss: 1.1 - em },
    lr: 0.01,
    valExamples: 40,
  };
}
