import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refitMeta } from './meta-hooks';
import { refitKnowledge } from './refit-knowledge';
import { seedHistory, syntheticHistory } from './refit-test-history';

let database: TestDatabase;
beforeEach(async () => {
  database = await postgresBackend.create();
});
afterEach(async () => {
  await database.cleanup();
});

/** Six tasks of 24 runs × 30 evals: enough history that fitting it takes seconds of CPU. */
const history = () =>
  syntheticHistory({
    tasks: 6,
    runs: 24,
    evals: 30,
    lr: (i) => 10 ** (-4 + i / 8),
    value: (t, i, k) =>
      Math.min(0.95, (0.02 + 0.01 * ((i * 7 + t) % 5)) * (k + 1)) -
      (k > 20 && i % 3 === 0 ? 0.01 * (k - 20) : 0),
  });

/** Longest gap between ticks of a 10 ms timer while `work` runs: how long the event loop was blocked. */
async function longestStall(work: () => Promise<unknown>): Promise<{ stallMs: number; tookMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { stallMs, tookMs: performance.now() - started };
}

describe('the refit, off the event loop', () => {
  it('fits on worker threads: the scheduler keeps serving while a refit computes', async () => {
    await seedHistory(database.store.db, history());
    const logged: string[] = [];
    const { stallMs, tookMs } = await longestStall(() =>
      refitKnowledge(
        database.store.db,
        (db, id) => refitMeta(db, (l) => logged.push(l), id),
        (l) => logged.push(l),
      ),
    );
    expect(logged.join('\n')).toMatch(/stop models: version \d+ from 144 runs/);
    expect(logged.join('\n')).toMatch(/meta-learner: version \d+/);
    console.log(`refit took ${Math.round(tookMs)} ms; longest event-loop stall ${Math.round(stallMs)} ms`);
    expect(stallMs).toBeLessThan(Math.max(250, tookMs / 4));
  }, 120_000);
});
