import {
  decisions,
  finishRun,
  insertExperimentRuns,
  metaModels,
  type StoreDatabase,
  upsertEvals,
} from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionService } from './decision-service.js';
import { replayDecisionLog } from './replay-decision-log.js';
import { loadStopModels, refitStopModels, STOP_MODELS_KIND, stopModelFor } from './stop-models.js';
import { evalAt, seedExperiment } from './test-support.js';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.cleanup();
  database = undefined;
});

/** Three tasks' worth of runs trained to budget: fast learners peak early, the rest at the end. */
async function seedHistory(db: StoreDatabase) {
  for (const [t, length] of [3, 4, 5].entries()) {
    const id = `hist-${t + 1}`;
    const task = { family: 'reverse', params: { length, vocab: 5 } };
    const runs = Array.from({ length: 12 }, (_, trial) => ({
      id: `${id}/${trial}`,
      experimentId: id,
      trial,
      config: { lr: 10 ** (-4 + trial / 4) },
      budgetTokens: 1000,
    }));
    await insertExperimentRuns(
      db,
      { id, name: 'hist', spec: { task }, taskFamily: 'reverse', policy: 'none' },
      runs,
    );
    for (const [trial, run] of runs.entries()) {
      const peak = trial >= 6 ? 4 : 20;
      const evals = Array.from({ length: 20 }, (_, k) => {
        const step = (k + 1) * 5;
        const em = k + 1 <= peak ? 0.6 * ((k + 1) / peak) : 0.6 - 0.01 * (k + 1 - peak);
        return { runId: run.id, step, tokens: step * 10, em };
      });
      await upsertEvals(db, evals);
      await finishRun(db, run.id, {
        status: 'completed',
        stopReason: 'budget',
        tokensUsed: 1000,
        valTokens: 0,
        bestStep: null,
        bestTokens: null,
        deployedEm: 0.6,
      });
    }
  }
}

describe('stop models as meta_models versions', { timeout: 180_000 }, () => {
  it('are fitted from history on demand, pinned by a run at its first attempt, and replayed from the version', async () => {
    database = await postgresBackend.create();
    const db = database.store.db;
    expect(await refitStopModels(db)).toBeNull();
    await seedHistory(db);
    const fitted = await refitStopModels(db);
    expect(fitted).toMatchObject({ runs: 36 });
    const stored = await loadStopModels(db, fitted?.version ?? -1);
    expect(stored.kind).toBe(STOP_MODELS_KIND);
    expect(Object.keys(stored.foldOfTask).sort()).toEqual([
      'reverse(length=3,vocab=5)',
      'reverse(length=4,vocab=5)',
      'reverse(length=5,vocab=5)',
    ]);
    // A task of the history gets the model fitted without its fold; a new task the one of all.
    expect(stopModelFor(stored, 'reverse(length=3,vocab=5)')).toBe(
      stored.models[stored.foldOfTask['reverse(length=3,vocab=5)'] ?? -1] ?? null,
    );
    expect(stopModelFor(stored, 'add(digits=3)')).toBe(stored.models.all ?? null);

    const [runId] = (await seedExperiment(db, { name: 'auto' })) as [string];
    const service = new DecisionService({ db });
    const started = await service.startAttempt({ runId, workerId: 'test:1', backend: 'cpu' });
    expect(started).toMatchObject({ kind: 'started', stopModelVersion: fitted?.version });
    await service.resume({ runId, attempt: 1, step: null, fromAttempt: null });
    // A newer version appears mid-run: the run keeps deciding with the one it pinned.
    const newer = await refitStopModels(db);
    expect(newer?.version).toBeGreaterThan(fitted?.version ?? 0);
    for (let step = 10; step <= 60; step += 10)
      await service.report(evalAt(runId, 1, step, 0.1 + step / 200));
    const again = await service.startAttempt({ runId, workerId: 'test:2', backend: 'cpu' });
    expect(again).toMatchObject({ kind: 'started', attempt: 2, stopModelVersion: fitted?.version });
    const used = await db.select({ version: decisions.stopModelVersion }).from(decisions);
    expect(used.map((d) => d.version)).toEqual(Array(6).fill(fitted?.version));
    const versions = await db.select({ version: metaModels.version }).from(metaModels);
    expect(versions).toHaveLength(2);
    expect(await replayDecisionLog(db, 'dec-1')).toMatchObject({ decisions: 6, mismatches: [] });
  });
});
