import { DecisionService } from '@curfew/decisions';
import { parseSpec } from '@curfew/spec';
import { insertExperimentRuns, type StoreDatabase } from '@curfew/store';

export const DECIDED = 'decided-1';
export const DECIDED_RUN = `${DECIDED}/0`;

const report = (runId: string, attempt: number, step: number, em: number) => ({
  runId,
  attempt,
  step,
  tokens: step * 10,
  metrics: { em, loss: 1 - em, perplexity: Math.exp(1 - em), train_loss: 1.1 - em },
  lr: 0.01,
  valExamples: 40,
});

/**
 * decided-1 (patience 1 on EM), one run driven through the real decision service: attempt 1 on
 * worker w:1 reports EM 0.5, 0.6, 0.55 (stopped by patience at step 30) and checkpoints step 20;
 * before it finishes, worker w:2 takes the run over, resumes from step 20 (the stop at step 30 is
 * discarded), reports 0.55 at step 30 again, is stopped by patience and finishes.
 */
export async function seedDecided(db: StoreDatabase): Promise<void> {
  const parsed = parseSpec(
    JSON.stringify({
      name: 'decided',
      task: { family: 'reverse', params: { length: 3, vocab: 5 } },
      model: { family: 'mlp' },
      budget: { max_tokens_per_run: 1000 },
      eval: { every_tokens: 100 },
      policy: { name: 'patience', monitor: 'em', patience: 1 },
    }),
    { filename: 'decided.json' },
  );
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  await insertExperimentRuns(
    db,
    {
      id: DECIDED,
      name: 'decided',
      spec: parsed.spec as unknown as Record<string, unknown>,
      taskFamily: 'reverse',
      policy: 'patience',
      status: 'running',
    },
    [{ id: DECIDED_RUN, experimentId: DECIDED, trial: 0, config: { lr: 0.01 }, budgetTokens: 1000 }],
  );
  const service = new DecisionService({ db });
  await service.startAttempt({ runId: DECIDED_RUN, workerId: 'w:1', backend: 'cpu' });
  await service.resume({ runId: DECIDED_RUN, attempt: 1, step: null, fromAttempt: null });
  for (const [step, em] of [
    [10, 0.5],
    [20, 0.6],
    [30, 0.55],
  ] as const)
    await service.report(report(DECIDED_RUN, 1, step, em));
  await service.recordCheckpoint({
    runId: DECIDED_RUN,
    attempt: 1,
    kind: 'latest',
    step: 20,
    tokens: 200,
    path: '/tmp/decided/latest.json',
    bytes: 8,
  });
  await service.startAttempt({ runId: DECIDED_RUN, workerId: 'w:2', backend: 'wasm' });
  await service.resume({ runId: DECIDED_RUN, attempt: 2, step: 20, fromAttempt: 1 });
  await service.report(report(DECIDED_RUN, 2, 30, 0.55));
  await service.finish({
    runId: DECIDED_RUN,
    attempt: 2,
    outcome: {
      status: 'stopped',
      stopReason: 'patience',
      tokensUsed: 300,
      valTokens: 0,
      bestStep: 20,
      bestTokens: 200,
      deployedEm: 0.6,
    },
  });
}
