import type { Curve } from '@curfew/policies';
import { BACKENDS, type TestDatabase } from '@curfew/store/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunFeatures, withGroupRanks } from './features.js';
import { chooseRepresentatives, fitState } from './fit.js';
import { loadCurvesAsHistory, readEvals, readHistory } from './history.js';
import { fitMetaModel } from './meta-model.js';
import { encodeOutcome, predictOutcome } from './outcome.js';
import { predictOutcomeMany } from './predict-outcome.js';
import { syntheticCurves } from './test-curves.js';

/**
 * History in which, in every task, the higher a run's place in its sweep of learning rates, the
 * better it does (whatever the task's lr range), and the worst runs ran longest (more evals): a
 * history where the number of evals tells the outcome, which must not be read before a start.
 */
function rankedHistory(tasks: readonly string[]): Curve[] {
  return syntheticCurves(tasks, 12).map((c) => {
    const i = Number(c.id.split('/')[1]);
    const evals = c.evals.slice(0, i < 6 ? 10 : 8).map((e) => ({ ...e, value: e.value * (0.5 + 0.04 * i) }));
    return { ...c, evals, budgetTokens: evals.at(-1)?.tokens ?? c.budgetTokens };
  });
}

describe.each(BACKENDS)('outcome model on $name', (backend) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.cleanup();
    database = undefined;
  });

  it('ranks a new sweep as history teaches, from its place in the sweep, as the TypeScript mirror does', async () => {
    database = await backend.create();
    const { db } = database.store;
    await loadCurvesAsHistory(db, rankedHistory(['a', 'b', 'c', 'd']));
    const { state } = await fitMetaModel(db);
    const outcome = state.outcome;
    if (!outcome) throw new Error('no outcome model');
    expect(outcome.lotoSpearman).toBeGreaterThan(0.8);
    expect(outcome.lotoError).toBeLessThan(outcome.baselineError / 2);
    const keys = [...outcome.numeric, ...outcome.categories].map((f) => f.key);
    expect(keys.some((k) => k.startsWith('lr'))).toBe(true);
    expect(keys.some((k) => k.startsWith('evals_per_run'))).toBe(false);

    // A new task whose learning rates are 10^6 larger: only their place in the sweep is familiar.
    const sweep = withGroupRanks(
      [1e2, 1e3, 1e4, 1e5, 1e6].map((lr) => ({
        metric: 'em',
        mode: 'max',
        family: 'kv-qa',
        lr,
        batch_size: 32,
      })),
    );
    const queries = sweep.map((features, i) => ({ id: `q/${i}`, features }));
    const fromSql = await predictOutcomeMany(db, queries);
    const ranks = queries.map((q) => fromSql.get(q.id)?.rank ?? Number.NaN);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect((ranks[4] as number) - (ranks[0] as number)).toBeGreaterThan(0.4);
    expect(fromSql.get('q/0')?.historyRuns).toBe(48);

    // The fit is deterministic: refitting the same history in TypeScript gives its kept runs.
    const runs = chooseRepresentatives(await readHistory(db));
    const evals = await readEvals(
      db,
      runs.map((r) => r.runId),
    );
    const { representatives } = fitState(runs.map((r) => ({ ...r, evals: evals.get(r.runId) ?? [] })));
    const history = representatives.map((r) => ({
      encoded: encodeOutcome(outcome, r.features),
      peakRank: r.peakRank,
    }));
    const odd: RunFeatures = { metric: 'em', mode: 'min', family: 'other', lr: -1 };
    for (const q of [...queries, { id: 'odd', features: odd }]) {
      const sqlRank =
        q.id === 'odd' ? (await predictOutcomeMany(db, [q])).get('odd')?.rank : fromSql.get(q.id)?.rank;
      expect(sqlRank).toBeCloseTo(predictOutcome(outcome, state.missingPenalty, history, q.features), 9);
    }
  }, 60_000);

  it('answers nothing before a meta-model exists', async () => {
    database = await backend.create();
    expect((await predictOutcomeMany(database.store.db, [{ id: 'x', features: { lr: 1 } }])).size).toBe(0);
  }, 30_000);
});
