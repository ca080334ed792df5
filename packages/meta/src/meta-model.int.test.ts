import { metaModels } from '@curfew/store';
import { BACKENDS, type TestDatabase } from '@curfew/store/testing';
import { asc, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunFeatures, withGroupRanks } from './features.js';
import { chooseRepresentatives, fitState } from './fit.js';
import { curvesFeatures, loadCurvesAsHistory, readEvals, readHistory } from './history.js';
import { answeringCheckpoint, predictKernel } from './kernel.js';
import { fitMetaModel, predictStop, predictStopMany } from './meta-model.js';
import { encodeFeatures, kindOf } from './model-state.js';
import { checkpointOf, shapeAt } from './shape.js';
import { syntheticCurves } from './test-curves.js';

describe.each(BACKENDS)('meta-learner on $name', (backend) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.cleanup();
    database = undefined;
  });

  it('predicts an earlier peak for a high-lr run than for a low-lr one, from seeded history', async () => {
    database = await backend.create();
    const { db } = database.store;
    await loadCurvesAsHistory(db, syntheticCurves(['a', 'b', 'c']));
    await fitMetaModel(db);
    // A new task whose learning rates are 100× larger: only its place in the sweep is familiar.
    const sweep = withGroupRanks([1e-2, 1e-1, 1, 10].map((lr) => ({ family: 'kv-qa', lr, batch_size: 32 })));
    const high = await predictStop(db, sweep[3] ?? {}, 2_000_000);
    const low = await predictStop(db, sweep[0] ?? {}, 2_000_000);
    expect(high?.peakFraction).toBeLessThan(0.3);
    expect(low?.peakFraction).toBeGreaterThan(0.8);
    expect(high?.peakTokens).toBeCloseTo((high?.peakFraction ?? 0) * 2_000_000, 3);
    for (const p of [high, low]) {
      expect(p?.lowFraction).toBeLessThanOrEqual(p?.peakFraction ?? Number.NaN);
      expect(p?.highFraction).toBeGreaterThanOrEqual(p?.peakFraction ?? Number.NaN);
      expect(p?.peakValue).toBeCloseTo(0.5, 5);
      expect(p?.sources).toHaveLength(5);
    }
    expect(high?.sources[0]?.peak_fraction).toBeCloseTo(0.2, 5);
  });

  it('answers exactly as the TypeScript mirror of the SQL function, before and during a run', async () => {
    database = await backend.create();
    const { db } = database.store;
    const history = syntheticCurves(['a', 'b', 'c']).map((c) => ({
      ...c,
      features: { ...c.features, lr: (c.features.lr as number) * (1 + (Number(c.id.split('/')[1]) % 3)) },
    }));
    const queries = syntheticCurves(['q'], 8, 30);
    await loadCurvesAsHistory(db, history);
    const { version, state: fitted } = await fitMetaModel(db);
    // The fit is deterministic: refitting the same history in TypeScript gives its kept runs.
    const runs = chooseRepresentatives(await readHistory(db));
    const evals = await readEvals(
      db,
      runs.map((r) => r.runId),
    );
    const { representatives } = fitState(runs.map((r) => ({ ...r, evals: evals.get(r.runId) ?? [] })));
    const encoded = representatives.map((r) => encodeFeatures(fitted, r.features));
    const features = curvesFeatures(queries);
    // As fitted, then with every shape feature weighed at every checkpoint (the synthetic curves
    // need few of them), so each term of the distance is compared.
    const everyShape = {
      ...fitted,
      checkpoints: fitted.checkpoints.map((c) => (c.at > 0 ? { ...c, shapeWeights: [0.5, 1, 2] } : c)),
    };
    // And with every checkpoint after 0 answering for the queries' own metric alone: a run of a
    // kind it defers (`start`), or with no metric while `unseen` is false, is answered as at 0.
    const someKinds = {
      ...everyShape,
      checkpoints: everyShape.checkpoints.map((c) =>
        c.at > 0 ? { ...c, kinds: { answers: ['em'], start: ['deferred'], unseen: false } } : c,
      ),
    };
    // And the other way round: the queries' metric deferred, a run without one answered (`unseen`).
    const unseenAnswered = {
      ...someKinds,
      checkpoints: someKinds.checkpoints.map((c) =>
        c.at > 0 ? { ...c, kinds: { answers: [], start: ['em'], unseen: true } } : c,
      ),
    };
    for (const [state, upTo] of [fitted, everyShape, someKinds, unseenAnswered].flatMap((s) =>
      [0, 0.1, 0.35, 1].map((u) => [s, u] as const),
    )) {
      await db
        .update(metaModels)
        .set({ state: state as unknown as Record<string, unknown> })
        .where(sql`${metaModels.version} = ${version}`);
      const asked = queries.flatMap((c, i) => {
        const evals = c.evals.filter((e) => e.tokens <= upTo * c.budgetTokens);
        const query = {
          id: c.id,
          features: features[i] ?? ({} as RunFeatures),
          budgetTokens: c.budgetTokens,
          evals,
        };
        // The same curve as a loss (lower is better) must read the same in SQL as in TypeScript.
        const asLoss = {
          id: `${c.id}/loss`,
          features: { ...query.features, mode: 'min' } as RunFeatures,
          budgetTokens: c.budgetTokens,
          evals: evals.map((e) => ({ tokens: e.tokens, value: 1 - e.value })),
        };
        const deferred = {
          ...query,
          id: `${c.id}/deferred`,
          features: { ...query.features, metric: 'deferred' } as RunFeatures,
        };
        const { metric: _, ...unnamed } = query.features;
        return [
          query,
          asLoss,
          deferred,
          { ...query, id: `${c.id}/no-metric`, features: unnamed as RunFeatures },
        ];
      });
      const fromSql = await predictStopMany(db, asked);
      asked.forEach((q) => {
        const checkpoint = checkpointOf(q.evals, q.budgetTokens);
        const shape = shapeAt(q.evals, q.budgetTokens, q.features.mode === 'min' ? 'min' : 'max', checkpoint);
        const query = {
          encoded: encodeFeatures(state, q.features),
          family: String(q.features.family),
          kind: kindOf(q.features),
          checkpoint,
          shape,
        };
        const ts = predictKernel(state, representatives, encoded, query);
        const p = fromSql.get(q.id);
        expect(p?.checkpoint).toBe(state.checkpoints[answeringCheckpoint(state, query)]?.at);
        if (state === someKinds && q.id.endsWith('/deferred')) expect(p?.checkpoint).toBe(0);
        if (state === someKinds && queries.some((c) => c.id === q.id)) expect(p?.checkpoint).toBe(checkpoint);
        if (state === unseenAnswered && q.id.endsWith('/no-metric')) expect(p?.checkpoint).toBe(checkpoint);
        if (state === unseenAnswered && queries.some((c) => c.id === q.id)) expect(p?.checkpoint).toBe(0);
        expect(p?.peakFraction).toBeCloseTo(ts?.peakFraction ?? Number.NaN, 9);
        expect(p?.lowFraction).toBeCloseTo(ts?.low ?? Number.NaN, 9);
        expect(p?.highFraction).toBeCloseTo(ts?.high ?? Number.NaN, 9);
        expect(p?.finalValue).toBeCloseTo(ts?.finalValue ?? Number.NaN, 9);
        expect(p?.sources.map((s) => s.run_id)).toEqual(ts?.sources.map((s) => s.runId));
        expect(p?.peakTokens).toBeCloseTo((p?.peakFraction ?? Number.NaN) * q.budgetTokens, 6);
      });
    }
  });

  it('moves a run whose curve has turned down to its own best so far', async () => {
    database = await backend.create();
    const { db } = database.store;
    const featureless = (c: ReturnType<typeof syntheticCurves>[number]) => ({
      ...c,
      features: { family: 'kv-qa' },
    });
    await loadCurvesAsHistory(db, syntheticCurves(['a', 'b', 'c', 'd']).map(featureless));
    await fitMetaModel(db);
    const [early, late] = ['q/11', 'q/0'].map(
      (id) =>
        syntheticCurves(['q'])
          .map(featureless)
          .find((c) => c.id === id) as ReturnType<typeof syntheticCurves>[number],
    );
    const at = async (c: typeof early, upTo: number) =>
      predictStop(
        db,
        { family: 'kv-qa' },
        c?.budgetTokens,
        c?.evals.filter((e) => e.tokens <= upTo * (c?.budgetTokens ?? 0)),
      );
    expect((await at(early, 0))?.peakFraction).toBe((await at(late, 0))?.peakFraction);
    const turned = await at(early, 0.3);
    expect(turned?.checkpoint).toBe(0.3);
    expect(turned?.peakFraction).toBeCloseTo(0.2, 2);
    expect((await at(late, 0.3))?.peakFraction).toBeGreaterThan(0.8);
  });

  it('adds a meta-model version with its leave-one-task-out error at every fit', async () => {
    database = await backend.create();
    const { db } = database.store;
    expect(await predictStop(db, { lr: 0.01 })).toBeNull();
    await loadCurvesAsHistory(db, syntheticCurves(['a', 'b']));
    const first = await fitMetaModel(db);
    await loadCurvesAsHistory(db, syntheticCurves(['c']));
    const second = await fitMetaModel(db, { notes: 'after task c' });
    expect(second.version).toBeGreaterThan(first.version);
    const rows = await db.select().from(metaModels).orderBy(asc(metaModels.version));
    expect(rows.map((r) => [r.nRuns, r.nTasks, r.notes])).toEqual([
      [24, 2, null],
      [36, 3, 'after task c'],
    ]);
    for (const row of rows) {
      expect(row.lotoError).toBeTypeOf('number');
      expect(row.lotoError).toBeLessThanOrEqual(
        (row.state as { loto: { baselineMedianAbsError: number } }).loto.baselineMedianAbsError,
      );
    }
    const history = await db.execute(
      sql`select meta_model_version as version, count(*)::int as n from meta_history group by 1`,
    );
    expect((history as unknown as { rows: { version: number; n: number }[] }).rows).toEqual([
      { version: second.version, n: 36 },
    ]);
    const shapes = await db.execute(
      sql`select meta_model_version as version, count(*)::int as n from meta_shapes group by 1`,
    );
    // 36 runs with an eval by each of the 7 checkpoints after 0, except 0.05 (the first eval is at 10%).
    expect((shapes as unknown as { rows: { version: number; n: number }[] }).rows).toEqual([
      { version: second.version, n: 36 * 6 },
    ]);
    expect((await predictStop(db, { lr: 0.01 }))?.metaModelVersion).toBe(second.version);
  });
});
