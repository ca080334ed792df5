import {
  failAttempt,
  finishRun,
  insertExperimentRuns,
  lockExperimentOfRun,
  predictions,
  recordCheckpoint,
  type StoreDatabase,
  startAttempt,
  upsertEvals,
} from '@curfew/store';

export const EXP = 'sweep-1';

/** EM, losses and LR at 100, 200, … tokens. */
export const curve = (runId: string, ems: number[], lrs?: number[]) =>
  ems.map((em, i) => ({
    runId,
    step: i + 1,
    tokens: (i + 1) * 100,
    em,
    valLoss: 2 - em,
    trainLoss: 1.8 - em,
    lr: lrs?.[i] ?? 0.01,
  }));

/**
 * sweep-1 (kv-qa, auto, tolerance 0.005), budget 1000 tokens per run:
 * - trial 0 stopped (plateau) at 400 tokens, EM 0.75, its LR halved at step 3, two checkpoints;
 * - trial 1 completed 1000/1000, EM 0.8;
 * - trial 2 running, 200 tokens so far, best EM 0.3;
 * - trial 3 failed with an error, after two attempts.
 * Trial 0 and 1 have predictions. empty-1 has one queued run and no evals.
 */
export async function seedSweep(db: StoreDatabase): Promise<void> {
  const run = (trial: number, config: Record<string, unknown>) => ({
    id: `${EXP}/${trial}`,
    experimentId: EXP,
    trial,
    config,
    budgetTokens: 1000,
  });
  await insertExperimentRuns(
    db,
    {
      id: EXP,
      name: 'sweep',
      spec: { name: 'sweep', policy: { name: 'auto', tolerance: 0.005 } },
      taskFamily: 'kv-qa',
      policy: 'auto',
      tolerance: 0.005,
      status: 'running',
    },
    [
      run(0, { lr: 0.01, note: '<script>alert(1)</script>' }),
      run(1, { lr: 0.02 }),
      run(2, { lr: 0.003 }),
      run(3, { lr: 0.1 }),
    ],
  );
  for (const trial of [0, 1, 2, 3]) await start(db, `${EXP}/${trial}`);
  await start(db, `${EXP}/3`);
  await upsertEvals(db, [
    ...curve(`${EXP}/0`, [0.5, 0.7, 0.75, 0.74], [0.01, 0.01, 0.005, 0.005]),
    ...curve(`${EXP}/1`, [0.3, 0.5, 0.6, 0.65, 0.7, 0.74, 0.77, 0.79, 0.8, 0.79]),
    ...curve(`${EXP}/2`, [0.2, 0.3]),
  ]);
  for (const step of [3, 4])
    await recordCheckpoint(db, {
      runId: `${EXP}/0`,
      step,
      tokens: step * 100,
      path: `/tmp/ckpt/${step}`,
      attempt: 1,
      isBest: step === 3,
      bytes: 1234,
    });
  const ended = { valTokens: 0 };
  await finishRun(db, `${EXP}/0`, {
    ...ended,
    status: 'stopped',
    stopReason: 'plateau',
    tokensUsed: 400,
    bestStep: 3,
    bestTokens: 300,
    deployedEm: 0.75,
  });
  await finishRun(db, `${EXP}/1`, {
    ...ended,
    status: 'completed',
    stopReason: null,
    tokensUsed: 1000,
    bestStep: 9,
    bestTokens: 900,
    deployedEm: 0.8,
  });
  await db.transaction(async (tx) =>
    failAttempt(tx, await lockExperimentOfRun(tx, `${EXP}/3`), {
      runId: `${EXP}/3`,
      attempt: 2,
      reason: 'out of memory <b>on</b> the worker',
      retryable: false,
    }),
  );
  await db.insert(predictions).values([
    { runId: `${EXP}/0`, predictedPeakTokens: 350, low: 250, high: 500, predictedFinalEm: 0.76 },
    { runId: `${EXP}/1`, predictedPeakTokens: 900, low: 700, high: 1000, predictedFinalEm: 0.81 },
  ]);
  await insertExperimentRuns(
    db,
    { id: 'empty-1', name: 'empty', spec: { name: 'empty' }, taskFamily: 'add', policy: 'patience' },
    [{ id: 'empty-1/0', experimentId: 'empty-1', trial: 0, config: {}, budgetTokens: 500 }],
  );
}

/** Starts the run's next attempt on a cpu worker, as the decision service does. */
async function start(db: StoreDatabase, runId: string): Promise<void> {
  await db.transaction(async (tx) =>
    startAttempt(tx, await lockExperimentOfRun(tx, runId), {
      runId,
      workerId: 'seed:1',
      backend: 'cpu',
      maxAttempts: 5,
      stopModelKind: 'curfew-stop-models/1',
    }),
  );
}
