import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { discardsIn, endsIn, liveEvalsIn } from './decision-log.js';
import { experimentEventsIn, lockExperimentOfRunWithEvents } from './experiment-events.js';
import { insertExperimentRuns } from './run-records.js';
import { decisions } from './schema/decisions.js';
import { discardedEvals } from './schema/discarded-evals.js';
import { evals } from './schema/evals.js';
import { experiments } from './schema/experiments.js';
import { runs } from './schema/runs.js';
import { BACKENDS, type TestDatabase } from './test-backends.js';

/** PGlite's first database of a file is made by initdb in WebAssembly: slow on a loaded machine. */
const TIMEOUT_MS = 180_000;

describe.each(BACKENDS)('experiment events on $name', { timeout: TIMEOUT_MS }, (backend) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.cleanup();
    database = undefined;
  });
  const store = () => (database as TestDatabase).store;

  /** Two runs of `ev-1` (one more in another experiment) with evals, a discard and ends. */
  async function seed() {
    const db = store().db;
    const experiment = (id: string) => ({
      id,
      name: 'ev',
      spec: { name: 'ev' },
      taskFamily: 'add',
      policy: 'none',
    });
    const run = (experimentId: string, trial: number) => ({
      id: `${experimentId}/${trial}`,
      experimentId,
      trial,
    });
    await insertExperimentRuns(db, experiment('ev-1'), [run('ev-1', 0), run('ev-1', 1), run('ev-1', 2)]);
    await insertExperimentRuns(db, experiment('ev-2'), [run('ev-2', 0)]);
    const row = (runId: string, step: number, seq: number | null, em: number | null) => ({
      runId,
      step,
      seq,
      attempt: 1,
      tokens: step * 1e9,
      em,
      valLoss: em === null ? Number.NaN : 1 - em,
      trainLoss: Number.POSITIVE_INFINITY,
      perplexity: 1.0000000000000002,
      metrics: { em: em ?? 0, bleu: 0.1 + 0.2 },
    });
    await db
      .insert(evals)
      .values([
        row('ev-1/0', 1, 1, 0.1),
        row('ev-1/1', 1, 2, 0.3333333333333333),
        row('ev-1/0', 3, 5, 0.5),
        row('ev-1/1', 2, 6, null),
        row('ev-1/2', 1, null, 0.2),
        row('ev-2/0', 1, 3, 0.9),
      ]);
    await db
      .insert(discardedEvals)
      .values({ ...row('ev-1/0', 2, 3, 0.4), discardedSeq: 4, discardedByAttempt: 2 });
    await db.update(runs).set({ status: 'completed', endSeq: 7 }).where(eq(runs.id, 'ev-1/1'));
    await db.update(runs).set({ status: 'stopped' }).where(eq(runs.id, 'ev-1/2'));
    await db
      .update(runs)
      .set({ status: 'running', attempts: 2, cancelRequestedSeq: 6 })
      .where(eq(runs.id, 'ev-1/0'));
    const decision = (seq: number, step: number, discardedSeq: number | null) => ({
      experimentId: 'ev-1',
      seq,
      runId: 'ev-1/0',
      attempt: 1,
      step,
      tokens: step * 1e9,
      watermark: seq - 1,
      kind: 'continue' as const,
      decision: { kind: 'continue' },
      policyState: {},
      discardedSeq,
    });
    await db.insert(decisions).values([decision(1, 1, null), decision(3, 2, 4), decision(5, 3, null)]);
  }

  it('returns in one query what liveEvalsIn, discardsIn and endsIn return, and a run fence', async () => {
    database = await backend.create();
    await seed();
    const db = store().db;
    for (const window of [
      { after: -1, upTo: 100 },
      { after: 0, upTo: 4 },
      { after: 4, upTo: 7 },
      { after: 7, upTo: 7 },
    ]) {
      const events = await experimentEventsIn(db, 'ev-1', window);
      const added = (await liveEvalsIn(db, 'ev-1', window)).map((e) => ({
        runId: e.runId,
        step: e.step,
        tokens: e.tokens,
        seq: e.seq,
        em: e.em,
        valLoss: e.valLoss,
        perplexity: e.perplexity,
        trainLoss: e.trainLoss,
        metrics: e.metrics,
      }));
      expect(events.added).toEqual(added);
      expect(events.discarded).toEqual(
        (await discardsIn(db, 'ev-1', window)).map((d) => ({ runId: d.runId, step: d.step, seq: d.seq })),
      );
      expect(events.ended.sort()).toEqual((await endsIn(db, 'ev-1', window)).sort());
      expect(events.fence).toBeNull();
    }
    const all = await experimentEventsIn(db, 'ev-1', { after: -1, upTo: 100 }, 'ev-1/0');
    expect(all.added.map((e) => [e.runId, e.step])).toEqual([
      ['ev-1/0', 1],
      ['ev-1/0', 3],
      ['ev-1/1', 1],
      ['ev-1/1', 2],
      ['ev-1/2', 1],
    ]);
    expect(all.ended.sort()).toEqual(['ev-1/1', 'ev-1/2']);
    expect(all.fence).toEqual({ status: 'running', attempts: 2, cancelRequestedSeq: 6, latestLiveSeq: 5 });
    expect((await experimentEventsIn(db, 'ev-1', { after: 7, upTo: 7 }, 'ev-1/1')).fence).toEqual({
      status: 'completed',
      attempts: 0,
      cancelRequestedSeq: null,
      latestLiveSeq: null,
    });
  });

  it('takes the lock and reads the events below it in one go; refuses a value that is no id', async () => {
    database = await backend.create();
    await seed();
    const db = store().db;
    await db.update(experiments).set({ eventSeq: 7 }).where(eq(experiments.id, 'ev-1'));
    const taken = await db.transaction((tx) => lockExperimentOfRunWithEvents(tx, 'ev-1/0', 'ev-1', 4));
    expect(taken.lock).toEqual({ experimentId: 'ev-1', seq: 8, status: 'pending' });
    const expected = await experimentEventsIn(db, 'ev-1', { after: 4, upTo: 7 }, 'ev-1/0');
    expect({ ...taken.events, fence: taken.fence }).toEqual(expected);
    expect(expected.added.map((e) => [e.runId, e.step])).toEqual([
      ['ev-1/0', 3],
      ['ev-1/1', 2],
    ]);
    await expect(
      db.transaction((tx) => lockExperimentOfRunWithEvents(tx, "ev-1/0' or 'x", 'ev-1', 4)),
    ).rejects.toThrow(backend.name === 'postgres' ? /is not an id/ : /does not exist/); // PGlite binds it
  });
});
