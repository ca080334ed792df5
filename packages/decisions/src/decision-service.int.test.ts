import { cancelRuns, evals, lockExperiment, runAttempts, runs, type StoreDatabase } from '@curfew/store';
import { BACKENDS, type TestDatabase } from '@curfew/store/testing';
import { asc, eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionService } from './decision-service.js';
import { replayDecisionLog } from './replay-decision-log.js';
import { beginFresh, evalAt, seedExperiment } from './test-support.js';

const MEDIAN = { name: 'median', startup_runs: 1, warmup_evals: 0 };

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.cleanup();
  database = undefined;
});

async function runRow(db: StoreDatabase, runId: string) {
  const [row] = await db.select().from(runs).where(eq(runs.id, runId));
  return row;
}

const finish = (
  runId: string,
  attempt: number,
  status: 'completed' | 'stopped' | 'cancelled',
  tokens: number,
) => ({
  runId,
  attempt,
  outcome: {
    status,
    stopReason: null,
    tokensUsed: tokens,
    valTokens: 0,
    bestStep: null,
    bestTokens: null,
    deployedEm: null,
  },
});

/** PGlite's first database of a file is made by initdb in WebAssembly: slow on a loaded machine. */
const TIMEOUT_MS = 180_000;

describe.each(BACKENDS)('the decision service on $name', { timeout: TIMEOUT_MS }, (backend) => {
  it('records each eval with its decision once, compares runs on a token clock, and replays to the same decisions', async () => {
    database = await backend.create();
    const db = database.store.db;
    const [first, second] = (await seedExperiment(db, MEDIAN)) as [string, string];
    const service = new DecisionService({ db });
    const a = await beginFresh(service, first);
    for (const [step, em] of [
      [10, 0.5],
      [20, 0.6],
    ] as const)
      expect((await service.report(evalAt(first, a, step, em))).decision).toEqual({ kind: 'continue' });
    // The same report again (a retry after an unknown outcome) gets the recorded answer, writes nothing.
    const again = await service.report(evalAt(first, a, 20, 0.6));
    expect(again).toMatchObject({ decision: { kind: 'continue' }, repeated: true });
    await service.finish(finish(first, a, 'completed', 200));

    const b = await beginFresh(service, second);
    const stop = await service.report(evalAt(second, b, 10, 0.2));
    expect(stop.decision).toMatchObject({ kind: 'stop', reason: 'median' });
    expect((stop.decision as { detail: string }).detail).toContain(
      'median 0.5 of 1 finished runs at step 10',
    );
    const stored = await db.select().from(evals).orderBy(asc(evals.runId), asc(evals.step));
    expect(stored.map((e) => [e.runId, e.step, e.em])).toEqual([
      [first, 10, 0.5],
      [first, 20, 0.6],
      [second, 10, 0.2],
    ]);
    expect((await runRow(db, second))?.tokensUsed).toBe(100);
    expect(await replayDecisionLog(db, 'dec-1')).toMatchObject({
      decisions: 3,
      discarded: 0,
      mismatches: [],
    });
  });

  it('fences attempts, discards evals past the adopted checkpoint, and replays what was decided before', async () => {
    database = await backend.create();
    const db = database.store.db;
    const [runId] = (await seedExperiment(db, { name: 'patience', monitor: 'em', patience: 1 })) as [string];
    const service = new DecisionService({ db });
    const one = await beginFresh(service, runId);
    for (const [step, em] of [
      [10, 0.5],
      [20, 0.6],
      [30, 0.55],
    ] as const)
      await service.report(evalAt(runId, one, step, em));
    await service.recordCheckpoint({
      runId,
      attempt: one,
      kind: 'latest',
      step: 20,
      tokens: 200,
      path: '/a/latest.json',
      bytes: 8,
    });

    // Another worker takes the run (the first one's lock expired): attempt 1 is fenced off.
    const started = await service.startAttempt({ runId, workerId: 'test:2', backend: 'cpu' });
    expect(started).toMatchObject({
      kind: 'started',
      attempt: 2,
      checkpoints: [{ attempt: 1, step: 20, tokens: 200 }],
    });
    await expect(service.report(evalAt(runId, one, 40, 0.4))).rejects.toMatchObject({
      name: 'StaleAttemptError',
    });
    await expect(service.report(evalAt(runId, 2, 30, 0.55))).rejects.toThrow(/has not resumed/);
    expect(await service.resume({ runId, attempt: 2, step: 20, fromAttempt: 1 })).toEqual({
      step: 20,
      tokens: 200,
      discarded: 1,
    });
    await expect(service.report(evalAt(runId, 2, 20, 0.6))).rejects.toThrow(
      /step 20 is not after its latest eval/,
    );
    // The resumed policy starts from its state at step 20: one eval without gain stops it again.
    expect((await service.report(evalAt(runId, 2, 30, 0.55))).decision).toMatchObject({
      kind: 'stop',
      reason: 'patience',
    });
    await service.finish({
      ...finish(runId, 2, 'stopped', 300),
      outcome: { ...finish(runId, 2, 'stopped', 300).outcome, stopReason: 'patience' },
    });
    expect(await service.finish(finish(runId, 2, 'stopped', 300))).toEqual({
      status: 'stopped',
      repeated: true,
    });
    await expect(service.finish(finish(runId, 1, 'completed', 300))).rejects.toMatchObject({
      name: 'StaleAttemptError',
    });

    const live = await db.select().from(evals).where(eq(evals.runId, runId)).orderBy(asc(evals.step));
    expect(live.map((e) => [e.step, e.attempt])).toEqual([
      [10, 1],
      [20, 1],
      [30, 2],
    ]);
    const attempts = await db.select().from(runAttempts).orderBy(asc(runAttempts.attempt));
    expect(attempts.map((x) => [x.attempt, x.outcome, x.resumedFromStep])).toEqual([
      [1, 'superseded', 0],
      [2, 'stopped', 20],
    ]);
    expect(await replayDecisionLog(db, 'dec-1')).toMatchObject({
      decisions: 4,
      discarded: 1,
      mismatches: [],
    });
  });

  it('answers stop (cancelled) after a cancel and stop (diverged) on a non-finite metric', async () => {
    database = await backend.create();
    const db = database.store.db;
    const [first, second] = (await seedExperiment(db, { name: 'none' })) as [string, string];
    const service = new DecisionService({ db });
    const a = await beginFresh(service, first);
    const b = await beginFresh(service, second);
    await service.report(evalAt(first, a, 10, 0.5));
    expect(await cancelRuns(db, 'dec-1', [first])).toMatchObject({ requested: [first] });
    expect((await service.report(evalAt(first, a, 20, 0.5))).decision).toMatchObject({
      kind: 'stop',
      reason: 'cancelled',
    });
    await service.finish(finish(first, a, 'cancelled', 200));
    expect(await runRow(db, first)).toMatchObject({ status: 'cancelled', tokensUsed: 200 });

    const nan = {
      ...evalAt(second, b, 10, 0),
      metrics: { em: 0, loss: Number.NaN, train_loss: Number.POSITIVE_INFINITY },
    };
    expect((await service.report(nan)).decision).toEqual({
      kind: 'stop',
      reason: 'diverged',
      detail: 'loss is NaN',
    });
    const [row] = await db.select().from(evals).where(eq(evals.runId, second));
    expect(row?.valLoss).toBeNaN();
    expect(row?.trainLoss).toBe(Number.POSITIVE_INFINITY);
    expect(await replayDecisionLog(db, 'dec-1')).toMatchObject({ decisions: 3, mismatches: [] });
  });

  it('refuses bad requests with one line naming the field, and writes nothing', async () => {
    database = await backend.create();
    const db = database.store.db;
    const [runId] = (await seedExperiment(db, { name: 'none' })) as [string];
    const service = new DecisionService({ db });
    await expect(service.report({ runId: 'nope', attempt: 0, step: -1, metrics: {} })).rejects.toThrow(
      /^report: runId: expected <experiment id>\/<trial>, e\.g\. kv-qa-sweep-3\/0; attempt: .*; step: .*; tokens: /,
    );
    await expect(service.resume({ runId, attempt: 1, step: 10, fromAttempt: null })).rejects.toThrow(
      'resume: fromAttempt: step and fromAttempt go together: both set (a checkpoint) or both null (from scratch)',
    );
    const attempt = await beginFresh(service, runId);
    await expect(
      service.report({ ...evalAt(runId, attempt, 10, 0.5), metrics: { loss: 0.5 } }),
    ).rejects.toThrow("report: metrics.em: the run's policy monitors em; report it");
    await expect(
      service.report({ ...evalAt(runId, attempt, 10, 0.5), metrics: { dropout: 0.1 } }),
    ).rejects.toThrow(/^report: metrics\.dropout: dropout is reserved/);
    expect(await db.select().from(evals)).toEqual([]);
  });
});

describe('two decision service instances on one Postgres database', { timeout: TIMEOUT_MS }, () => {
  it("decide together as one: each catches up on the other's writes, and the log replays", async () => {
    database = await BACKENDS[0]?.create();
    if (!database) throw new Error('no postgres backend');
    const other = await database.reopen();
    const [first, second, third] = (await seedExperiment(database.store.db, MEDIAN)) as [
      string,
      string,
      string,
    ];
    const one = new DecisionService({ db: database.store.db });
    const two = new DecisionService({ db: other.db });
    const a = await beginFresh(one, first);
    const b = await beginFresh(two, second);
    const c = await beginFresh(one, third);
    for (const [step, em] of [
      [10, 0.5],
      [20, 0.7],
    ] as const)
      await one.report(evalAt(first, a, step, em));
    await one.finish(finish(first, a, 'completed', 200));
    // Instance two never saw run 0 report: it catches up on those events under the lock.
    expect((await two.report(evalAt(second, b, 10, 0.1))).decision).toMatchObject({
      kind: 'stop',
      reason: 'median',
    });
    expect((await one.report(evalAt(third, c, 10, 0.6))).decision).toEqual({ kind: 'continue' });
    // A restarted instance restores everything from the database; a peek writes nothing.
    const restarted = new DecisionService({ db: other.db });
    expect((await restarted.peek(evalAt(third, c, 20, 0.65))).kind).toBe('stop');
    expect((await restarted.report(evalAt(third, c, 20, 0.8))).decision).toEqual({ kind: 'continue' });
    expect(await replayDecisionLog(database.store.db, 'dec-1')).toMatchObject({
      decisions: 5,
      mismatches: [],
    });
  });
});

/** Resolves once a session of the database waits for a lock (the report under test, on the row lock). */
async function untilSomeoneWaitsForALock(db: StoreDatabase): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const result = (await db.execute(
      sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    )) as unknown as { rows: { n: number }[] };
    if ((result.rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no session waited for a lock');
}

describe('a report that waits for the experiment lock while its run changes', { timeout: TIMEOUT_MS }, () => {
  // The report reads its run before taking the lock; what a transaction holding the lock then
  // commits about the run (a cancel, a new attempt) must decide the report, not the early reading.
  const holdingTheLock = async (
    db: StoreDatabase,
    report: () => Promise<unknown>,
    change: (tx: StoreDatabase, seq: number) => Promise<void>,
  ) => {
    let pending: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      const lock = await lockExperiment(tx, 'dec-1');
      pending = report();
      pending.catch(() => undefined);
      await untilSomeoneWaitsForALock(db);
      await change(tx, lock.seq);
    });
    return pending as Promise<unknown>;
  };

  it('answers stop (cancelled) for a cancel committed meanwhile, and refuses a superseded attempt', async () => {
    database = await BACKENDS[0]?.create();
    if (!database) throw new Error('no postgres backend');
    const db = database.store.db;
    const [first, second] = (await seedExperiment(db, { name: 'none' })) as [string, string];
    const service = new DecisionService({ db });
    const a = await beginFresh(service, first);
    const b = await beginFresh(service, second);
    await service.report(evalAt(first, a, 10, 0.5));
    await service.report(evalAt(second, b, 10, 0.5));

    const cancelled = await holdingTheLock(
      db,
      () => service.report(evalAt(first, a, 20, 0.6)),
      async (tx, seq) => {
        await tx.update(runs).set({ cancelRequestedSeq: seq }).where(eq(runs.id, first));
      },
    );
    expect(await cancelled).toMatchObject({
      decision: { kind: 'stop', reason: 'cancelled' },
      repeated: false,
    });

    const superseded = holdingTheLock(
      db,
      () => service.report(evalAt(second, b, 20, 0.6)),
      async (tx) => {
        await tx
          .update(runs)
          .set({ attempts: b + 1 })
          .where(eq(runs.id, second));
      },
    );
    await expect(
      await superseded.then(
        () => null,
        (error: unknown) => error,
      ),
    ).toMatchObject({
      name: 'StaleAttemptError',
    });
    const stored = await db.select().from(evals).orderBy(asc(evals.runId), asc(evals.step));
    expect(stored.map((e) => [e.runId, e.step])).toEqual([
      [first, 10],
      [first, 20],
      [second, 10],
    ]);
    expect(await replayDecisionLog(db, 'dec-1')).toMatchObject({ decisions: 3, mismatches: [] });
  });
});
