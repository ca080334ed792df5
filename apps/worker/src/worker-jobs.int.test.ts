import { cancelRuns, insertExperimentRuns } from '@curfew/store';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from './start-worker';
import {
  createWorkerFixture,
  evalsOf,
  runOf,
  runWithStatus,
  specOf,
  submitRuns,
  type WorkerFixture,
  waitUntil,
} from './test/worker-fixture';

let fixture: WorkerFixture | undefined;
let handle: WorkerHandle | undefined;
afterEach(async () => {
  await handle?.close();
  await fixture?.cleanup();
  handle = undefined;
  fixture = undefined;
});

async function startInProcess(f: WorkerFixture): Promise<WorkerHandle> {
  return startWorker(
    {
      redisUrl: f.env.REDIS_URL as string,
      databaseUrl: f.database.databaseUrl,
      dataDir: '',
      artifactsDir: f.artifactsDir,
      backend: 'cpu',
      queuePrefix: f.prefix,
      concurrency: 1,
      lockDurationMs: 5_000,
      stalledIntervalMs: 5_000,
      maxStalledCount: 3,
      maxAttempts: 5,
      dbRetryMs: 10_000,
      accelerator: 'cpu',
      programEnv: {},
    },
    { log: () => undefined },
  );
}

const tiny = (overrides: Record<string, unknown>) =>
  specOf({
    name: 'tiny',
    task: { family: 'reverse', params: { length: 3, vocab: 5, train_examples: 80, val_examples: 40 } },
    model: { family: 'mlp', params: { hidden: 16, layers: 1, lr: 0.02, batch_size: 8 } },
    budget: { max_tokens_per_run: 4_800 },
    eval: { every_tokens: 480 },
    policy: { name: 'none' },
    ...overrides,
  });

describe('the train-run worker', () => {
  it('fails a bad payload at once, without retries, with the reason stored on the run', async () => {
    fixture = await createWorkerFixture();
    const f = fixture;
    await insertExperimentRuns(
      f.db,
      { id: 'bad-1', name: 'bad', spec: {}, taskFamily: 'add', policy: 'none' },
      [{ id: 'bad-1/0', experimentId: 'bad-1', trial: 0 }],
    );
    // Bypasses enqueueJob, which would refuse this payload.
    await f.queue.add(
      'train-run',
      { runId: 'bad-1/0', experimentId: 'bad-1', trial: 0, spec: { name: 'bad' }, params: {} },
      { attempts: 5 },
    );
    handle = await startInProcess(f);
    const run = await waitUntil(
      'the run to fail',
      async () => {
        const row = await runOf(f.db, 'bad-1/0');
        return row?.status === 'failed' ? row : undefined;
      },
      30_000,
    );
    // model is optional (a command trainer has none), so the missing task is what it names.
    expect(run.error).toMatch(/^bad train-run payload: spec\.task: /);
    // The run is marked failed inside the processor, just before BullMQ moves its job to failed.
    const [job] = await waitUntil(
      'the job to fail',
      async () => {
        const failed = await f.queue.getFailed();
        return failed.length > 0 ? failed : undefined;
      },
      30_000,
    );
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toBe(run.error);
  }, 300_000);

  it('ends a run stopped by its policy with reason, tokens, best step and deployed EM', async () => {
    fixture = await createWorkerFixture();
    const f = fixture;
    const spec = tiny({
      budget: { max_tokens_per_run: 48_000 },
      policy: { name: 'patience', monitor: 'loss', patience: 1, min_delta: 0.5 },
    });
    const [runId] = (await submitRuns(f, 'stop-1', spec)) as [string];
    handle = await startInProcess(f);
    const run = await runWithStatus(f.db, runId, 'stopped', 180_000);
    const evals = await evalsOf(f.db, runId);
    expect(run).toMatchObject({ stopReason: 'patience', backend: 'cpu', attempts: 1 });
    expect(run.tokensUsed).toBe(evals.at(-1)?.tokens);
    expect(run.tokensUsed).toBeLessThan(48_000);
    const best = evals.reduce((a, b) => ((b.valLoss ?? 0) < (a.valLoss ?? 0) ? b : a));
    expect(run.bestStep).toBe(best.step);
    expect(run.deployedEm).toBe(best.em);
  }, 300_000);

  it('honours a cancel: a running run stops at its next eval and is marked cancelled', async () => {
    fixture = await createWorkerFixture();
    const f = fixture;
    const [runId] = (await submitRuns(
      f,
      'cancel-1',
      tiny({ budget: { max_tokens_per_run: 2_000_000 } }),
    )) as [string];
    handle = await startInProcess(f);
    await waitUntil('two evals', async () => (await evalsOf(f.db, runId)).length >= 2, 180_000);
    expect(await cancelRuns(f.db, 'cancel-1', [runId])).toMatchObject({ requested: [runId] });
    const job = await waitUntil(
      'the job to complete',
      async () => {
        // Read the job again once it has completed: one fetched before holds no return value.
        const j = await f.queue.getJob(runId);
        return j && (await j.isCompleted()) ? await f.queue.getJob(runId) : undefined;
      },
      180_000,
    );
    expect(job.returnvalue).toMatchObject({ runId, status: 'cancelled' });
    const run = await runOf(f.db, runId);
    expect(run).toMatchObject({ status: 'cancelled', stopReason: 'cancelled' });
    expect(run?.tokensUsed).toBeLessThan(2_000_000);
  }, 300_000);
});
