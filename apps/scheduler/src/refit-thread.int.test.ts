import { loadCurvesAsHistory } from '@curfew/meta';
import type { Curve } from '@curfew/policies';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refitMeta } from './meta-hooks';
import { refitKnowledge } from './refit-knowledge';

let database: TestDatabase;
beforeEach(async () => {
  database = await postgresBackend.create();
});
afterEach(async () => {
  await database.cleanup();
});

/** Six tasks of 24 runs × 30 evals: enough history that fitting it takes seconds of CPU. */
function history(): Curve[] {
  return Array.from({ length: 6 }, (_, t) => `t${t}`).flatMap((task, t) =>
    Array.from({ length: 24 }, (_, i) => ({
      id: `${task}/${i}`,
      task,
      group: task,
      metric: 'em',
      mode: 'max' as const,
      budgetTokens: 3000,
      features: { family: 'add', lr: 10 ** (-4 + i / 8) },
      evals: Array.from({ length: 30 }, (_, k) => ({
        step: k + 1,
        tokens: (k + 1) * 100,
        value:
          Math.min(0.95, (0.02 + 0.01 * ((i * 7 + t) % 5)) * (k + 1)) -
          (k > 20 && i % 3 === 0 ? 0.01 * (k - 20) : 0),
      })),
      source: `${task}:${i}`,
    })),
  );
}

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
    await loadCurvesAsHistory(database.store.db, history());
    await database.store.db.execute(
      sql`UPDATE experiments SET spec = spec || jsonb_build_object('task', jsonb_build_object('family', 'add', 'params', jsonb_build_object('digits', right(id, 1)::int)))`,
    );
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
