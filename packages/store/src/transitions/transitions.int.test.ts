import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { StoreDatabase } from '../database.js';
import { lockExperimentOfRun } from '../experiment-lock.js';
import { getExperiment, submitExperiment } from '../experiment-records.js';
import { insertExperimentRuns, recordCheckpoint, runStatus } from '../run-records.js';
import { discardedEvals } from '../schema/discarded-evals.js';
import { evals } from '../schema/evals.js';
import { runAttempts } from '../schema/run-attempts.js';
import { runs } from '../schema/runs.js';
import { BACKENDS } from '../test-backends.js';
import { seededStorePerTest } from '../test-fixtures.js';
import { cancelRuns } from './cancel-runs.js';
import { abandonAttempt, failAttempt, finishAttempt } from './end-attempt.js';
import { expandExperimentRuns } from './expand-runs.js';
import { resumeAttempt } from './resume-attempt.js';
import { type StartAttemptInput, startAttempt } from './start-attempt.js';

const EXPERIMENT = {
  id: 'add-1',
  name: 'add',
  spec: { name: 'add' },
  taskFamily: 'add',
  policy: 'none',
  status: 'running' as const,
};
const RUNS = [0, 1].map((trial) => ({
  id: `add-1/${trial}`,
  experimentId: 'add-1',
  trial,
  budgetTokens: 1000,
}));
const start: Omit<StartAttemptInput, 'runId'> = {
  workerId: 'host:1',
  backend: 'cpu',
  maxAttempts: 3,
  stopModelKind: 'test-stop-models',
};
const summary = {
  status: 'completed' as const,
  stopReason: 'budget',
  tokensUsed: 1000,
  valTokens: 10,
  bestStep: 10,
  bestTokens: 1000,
  deployedEm: 0.5,
};

/** Runs `body` in a transaction holding the run's experiment lock, as the decision service does. */
function locked<T>(db: StoreDatabase, runId: string, body: (tx: StoreDatabase, seq: number) => Promise<T>) {
  return db.transaction(async (tx) => {
    const lock = await lockExperimentOfRun(tx, runId);
    return body(tx, lock.seq).then((value) => ({ value, lock }));
  });
}

async function begin(db: StoreDatabase, runId: string) {
  const { value } = await locked(db, runId, (tx, seq) =>
    startAttempt(tx, { experimentId: 'add-1', seq, status: 'running' }, { ...start, runId }),
  );
  if (value.kind !== 'started') throw new Error(`refused: ${value.reason}`);
  return value;
}

async function evalAt(db: StoreDatabase, runId: string, attempt: number, step: number, seq: number) {
  await db.insert(evals).values({ runId, step, tokens: step * 10, seq, attempt });
}

describe.each(BACKENDS)('run state transitions on $name', { timeout: 180_000 }, (backend) => {
  const store = seededStorePerTest(backend);
  const db = () => store().db;

  it('fences attempts: a new attempt supersedes the live one, whose writes are then refused', async () => {
    await insertExperimentRuns(db(), EXPERIMENT, RUNS);
    const first = await begin(db(), 'add-1/0');
    expect(first).toMatchObject({ attempt: 1, stopModelVersion: null, checkpoints: [] });
    const second = await begin(db(), 'add-1/0');
    expect(second.attempt).toBe(2);
    const stale = locked(db(), 'add-1/0', (tx, seq) =>
      finishAttempt(
        tx,
        { experimentId: 'add-1', seq, status: 'running' },
        { runId: 'add-1/0', attempt: 1, summary },
      ),
    );
    await expect(stale).rejects.toMatchObject({ name: 'StaleAttemptError' });
    const attempts = await db().select().from(runAttempts).orderBy(asc(runAttempts.attempt));
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'superseded'],
      [2, null],
    ]);
    const lock = { experimentId: 'add-1', seq: 0, status: 'running' as const };
    await locked(db(), 'add-1/0', (tx, seq) =>
      finishAttempt(tx, { ...lock, seq }, { runId: 'add-1/0', attempt: 2, summary }),
    );
    // Repeated after it committed (an unknown outcome retried): nothing changes.
    const again = await locked(db(), 'add-1/0', (tx, seq) =>
      finishAttempt(tx, { ...lock, seq }, { runId: 'add-1/0', attempt: 2, summary }),
    );
    expect(again.value).toEqual({ repeated: true });
    const [run] = await db().select().from(runs).where(eq(runs.id, 'add-1/0'));
    expect(run).toMatchObject({ status: 'completed', attempts: 2, tokensUsed: 1000 });
    // An ended run is not started again.
    const refused = await locked(db(), 'add-1/0', (tx, seq) =>
      startAttempt(tx, { ...lock, seq }, { ...start, runId: 'add-1/0' }),
    );
    expect(refused.value).toEqual({ kind: 'refused', status: 'completed', reason: 'run is completed' });
  });

  it('resumes a checkpoint: evals past it move to discarded_evals, later checkpoints become unusable', async () => {
    await insertExperimentRuns(db(), EXPERIMENT, RUNS);
    const first = await begin(db(), 'add-1/0');
    for (const step of [10, 20, 30]) await evalAt(db(), 'add-1/0', first.attempt, step, step);
    const checkpoint = { runId: 'add-1/0', attempt: 1, path: '/a', isBest: false, bytes: 8 };
    await recordCheckpoint(db(), { ...checkpoint, step: 20, tokens: 200 });
    await recordCheckpoint(db(), { ...checkpoint, step: 30, tokens: 300 });
    const second = await begin(db(), 'add-1/0');
    expect(second.checkpoints.map((c) => [c.attempt, c.step])).toEqual([
      [1, 30],
      [1, 20],
    ]);
    const input = { runId: 'add-1/0', attempt: 2, step: 20, fromAttempt: 1 };
    const { value, lock } = await locked(db(), 'add-1/0', (tx, seq) =>
      resumeAttempt(tx, { experimentId: 'add-1', seq, status: 'running' }, input),
    );
    expect(value).toEqual({ step: 20, tokens: 200, discarded: [{ step: 30, seq: 30 }], repeated: false });
    expect((await db().select().from(evals)).filter((e) => e.runId === 'add-1/0').map((e) => e.step)).toEqual(
      [10, 20],
    );
    const [moved] = await db().select().from(discardedEvals);
    expect(moved).toMatchObject({ step: 30, seq: 30, discardedSeq: lock.seq, discardedByAttempt: 2 });
    // The same resume again is harmless; another one is out of protocol.
    const repeat = await locked(db(), 'add-1/0', (tx, seq) =>
      resumeAttempt(tx, { experimentId: 'add-1', seq, status: 'running' }, input),
    );
    expect(repeat.value.repeated).toBe(true);
    const other = locked(db(), 'add-1/0', (tx, seq) =>
      resumeAttempt(tx, { experimentId: 'add-1', seq, status: 'running' }, { ...input, step: null }),
    );
    await expect(other).rejects.toMatchObject({ name: 'AttemptProtocolError' });
    // The step-30 checkpoint holds a discarded eval: a third attempt is not offered it.
    const third = await begin(db(), 'add-1/0');
    expect(third.checkpoints.map((c) => c.step)).toEqual([20]);
    const bad = locked(db(), 'add-1/0', (tx, seq) =>
      resumeAttempt(
        tx,
        { experimentId: 'add-1', seq, status: 'running' },
        { runId: 'add-1/0', attempt: 3, step: 30, fromAttempt: 1 },
      ),
    );
    await expect(bad).rejects.toThrow('run add-1/0: no resumable checkpoint of attempt 1 at step 30');
  });

  it('sends a retryable failure back to the queue, fails others for good, and gives up after maxAttempts', async () => {
    await insertExperimentRuns(db(), EXPERIMENT, RUNS);
    const lock = { experimentId: 'add-1', seq: 0, status: 'running' as const };
    for (let attempt = 1; attempt <= 3; attempt++) {
      await begin(db(), 'add-1/0');
      const failed = await locked(db(), 'add-1/0', (tx, seq) =>
        failAttempt(
          tx,
          { ...lock, seq },
          { runId: 'add-1/0', attempt, reason: 'ECONNRESET', retryable: true },
        ),
      );
      expect(failed.value.status).toBe('queued');
    }
    const refused = await locked(db(), 'add-1/0', (tx, seq) =>
      startAttempt(tx, { ...lock, seq }, { ...start, runId: 'add-1/0' }),
    );
    expect(refused.value).toEqual({
      kind: 'refused',
      status: 'failed',
      reason: 'gave up after 3 attempts (last: ECONNRESET)',
    });
    await begin(db(), 'add-1/1');
    await locked(db(), 'add-1/1', (tx, seq) =>
      failAttempt(
        tx,
        { ...lock, seq },
        { runId: 'add-1/1', attempt: 1, reason: 'bad spec', retryable: false },
      ),
    );
    expect(await runStatus(db(), 'add-1/1')).toBe('failed');
  });

  it('abandons a lost attempt: back to the queue, or cancelled when a cancel was waiting for it', async () => {
    await insertExperimentRuns(db(), EXPERIMENT, RUNS);
    const lock = { experimentId: 'add-1', seq: 0, status: 'running' as const };
    const abandon = (runId: string, attempt: number) =>
      locked(db(), runId, (tx, seq) =>
        abandonAttempt(tx, { ...lock, seq }, { runId, attempt, reason: 'no live job', maxAttempts: 3 }),
      );
    await begin(db(), 'add-1/0');
    expect((await abandon('add-1/0', 2)).value).toBeNull();
    expect((await abandon('add-1/0', 1)).value).toEqual({ status: 'queued' });
    await begin(db(), 'add-1/1');
    const cancel = await cancelRuns(db(), 'add-1');
    expect(cancel).toEqual({
      experimentCancelled: false,
      cancelled: ['add-1/0'],
      requested: ['add-1/1'],
      ended: [],
    });
    expect((await abandon('add-1/1', 1)).value).toEqual({ status: 'cancelled' });
    expect(await getExperiment(db(), 'add-1')).toMatchObject({ status: 'running' });
  });

  it('cancels at every state: pending experiment, queued run, running run, ended run', async () => {
    const id = await submitExperiment(db(), {
      name: 'late',
      spec: {},
      taskFamily: 'add',
      policy: 'none',
      tolerance: null,
      priority: 0,
      maxParallel: 1,
    });
    expect(await cancelRuns(db(), id)).toMatchObject({ experimentCancelled: true });
    // The scheduler comes too late: the cancel won, nothing is expanded.
    const run = { id: `${id}/0`, experimentId: id, trial: 0, budgetTokens: 10 };
    expect(
      await expandExperimentRuns(db(), { experimentId: id, runs: [run], predictions: [], budgetTokens: 10 }),
    ).toBe(false);
    expect((await getExperiment(db(), id)).status).toBe('cancelled');
    expect(await db().select().from(runs).where(eq(runs.experimentId, id))).toEqual([]);

    await insertExperimentRuns(db(), EXPERIMENT, RUNS);
    const attempt = await begin(db(), 'add-1/0');
    const lock = { experimentId: 'add-1', seq: 0, status: 'running' as const };
    await locked(db(), 'add-1/0', (tx, seq) =>
      finishAttempt(tx, { ...lock, seq }, { runId: 'add-1/0', attempt: attempt.attempt, summary }),
    );
    await begin(db(), 'add-1/1');
    expect(await cancelRuns(db(), 'add-1', ['add-1/0', 'add-1/1'])).toEqual({
      experimentCancelled: false,
      cancelled: [],
      requested: ['add-1/1'],
      ended: [{ id: 'add-1/0', status: 'completed' }],
    });
    await expect(cancelRuns(db(), 'add-1', ['add-1/7'])).rejects.toThrow('run add-1/7 does not exist');
  });
});
