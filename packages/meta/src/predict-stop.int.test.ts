import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MIGRATIONS_FOLDER, type StoreDatabase } from '@curfew/store';
import { BACKENDS, type TestDatabase } from '@curfew/store/testing';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunFeatures } from './features.js';
import { curvesFeatures, loadCurvesAsHistory } from './history.js';
import { fitMetaModel, predictStopMany, type StopQuery } from './meta-model.js';
import { syntheticCurves } from './test-curves.js';
import { installPredictStop0007, predictStopMany0007 } from './testing.js';

/** History with more to tell apart than one family: another family, a feature missing, noisy curves. */
function mixedHistory() {
  const noisy = (task: string, family: string) =>
    syntheticCurves([task], 12, 7).map((c, i) => ({
      ...c,
      features: { family, lr: c.features.lr as number },
      evals: c.evals.map((e, k) => ({ ...e, value: e.value + 0.03 * Math.sin(7 * i + 3 * k) })),
    }));
  return [...syntheticCurves(['a', 'b', 'c']), ...noisy('d', 'image'), ...noisy('e', 'image')];
}

/** Runs of a new task at several points of their budget, as accuracy and as a loss, and odd ones. */
function queriesOf(curves: ReturnType<typeof syntheticCurves>): StopQuery[] {
  const features = curvesFeatures(curves);
  return [0, 0.05, 0.1, 0.25, 0.35, 0.6, 0.95, 1].flatMap((upTo) =>
    curves.flatMap((c, i) => {
      const evals = c.evals.filter((e) => e.tokens <= upTo * c.budgetTokens);
      const f = features[i] ?? ({} as RunFeatures);
      return [
        { id: `${c.id}@${upTo}`, features: f, budgetTokens: c.budgetTokens, evals },
        {
          id: `${c.id}@${upTo}/loss`,
          features: { ...f, mode: 'min' } as RunFeatures,
          budgetTokens: c.budgetTokens,
          evals: evals.map((e) => ({ tokens: e.tokens, value: 1 - e.value })),
        },
        { id: `${c.id}@${upTo}/no-lr`, features: { family: f.family } as RunFeatures, evals },
      ];
    }),
  );
}

describe.each(BACKENDS)('curfew_predict_stop (0008, 0009) on $name', (backend) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.cleanup();
    database = undefined;
  });

  // 480 queries through both functions; on PGlite on a loaded machine that took over a minute.
  it("answers a version without checkpoint kinds as 0007's function did, row for row and to the last bit", async () => {
    database = await backend.create();
    const { db } = database.store;
    await loadCurvesAsHistory(db, mixedHistory());
    await fitMetaModel(db);
    // As a version fitted before 0009: every checkpoint answers every run (0007 knew no kinds).
    await db.execute(sql`UPDATE meta_models SET state = jsonb_set(state, '{checkpoints}', (
      SELECT jsonb_agg(c.spec - 'kinds' ORDER BY c.ord)
      FROM jsonb_array_elements(state -> 'checkpoints') WITH ORDINALITY AS c(spec, ord)))`);
    await installPredictStop0007(db);
    const queries = queriesOf([
      ...syntheticCurves(['q'], 8, 30),
      ...mixedHistory()
        .filter((c) => c.task === 'd')
        .map((c) => ({ ...c, id: `new-${c.id}` })),
    ]);
    const now = await predictStopMany(db, queries);
    const before = await predictStopMany0007(db, queries);
    expect(now.size).toBe(queries.length);
    expect(new Set([...now.values()].map((p) => p.checkpoint)).size).toBeGreaterThan(4);
    expect(now).toEqual(before);
  }, 240_000);

  it("keeps each kept run's curve shapes beside it, as meta_shapes has them", async () => {
    database = await backend.create();
    const { db } = database.store;
    await loadCurvesAsHistory(db, mixedHistory());
    const { version, state } = await fitMetaModel(db);
    const result = await db.execute(sql`
      SELECT count(*)::int AS runs, count(*) FILTER (WHERE NOT EXISTS (
        SELECT 1 FROM jsonb_array_elements(${JSON.stringify(state.checkpoints)}::jsonb) WITH ORDINALITY AS c(spec, ord)
        LEFT JOIN meta_shapes s ON s.meta_model_version = h.meta_model_version AND s.run_id = h.run_id
          AND s.checkpoint = (c.spec ->> 'at')::float8
        WHERE (h.shape_best_rel[c.ord], h.shape_last_rel[c.ord], h.shape_trend[c.ord])
          IS DISTINCT FROM (s.best_rel, s.last_rel, s.trend)))::int AS same
      FROM meta_history h WHERE h.meta_model_version = ${version}`);
    const [row] = (result as unknown as { rows: { runs: number; same: number }[] }).rows;
    expect(row?.runs).toBe(60);
    expect(row?.same).toBe(60);
  });

  it('fills the shape arrays of a version fitted before 0008 from its meta_shapes rows', async () => {
    database = await backend.create();
    const { db } = database.store;
    await loadCurvesAsHistory(db, mixedHistory());
    await fitMetaModel(db);
    const arrays = async (d: StoreDatabase) =>
      (
        (await d.execute(sql`SELECT run_id, shape_best_rel, shape_last_rel, shape_trend
          FROM meta_history ORDER BY run_id`)) as unknown as { rows: unknown[] }
      ).rows;
    const written = await arrays(db);
    await db.execute(
      sql`UPDATE meta_history SET shape_best_rel = NULL, shape_last_rel = NULL, shape_trend = NULL`,
    );
    const migration = await readFile(
      join(DEFAULT_MIGRATIONS_FOLDER, '0008_predict_stop_plpgsql.sql'),
      'utf8',
    );
    const backfill = migration.split('--> statement-breakpoint').find((s) => s.trim().startsWith('UPDATE'));
    await db.execute(sql.raw(backfill ?? 'missing backfill'));
    expect(written).toHaveLength(60);
    expect(await arrays(db)).toEqual(written);
  });
});
