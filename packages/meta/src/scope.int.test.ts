import { metricKind } from '@curfew/policies';
import { BACKENDS, type TestDatabase } from '@curfew/store/testing';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunFeatures } from './features.js';
import { chooseFitSample, fitState } from './fit.js';
import { curvesFeatures, loadCurvesAsHistory, readEvals, readHistory } from './history.js';
import { fitMetaModel, predictStopMany, type StopPrediction, type StopQuery } from './meta-model.js';
import { MIN_FAMILY_TASKS, predictScoped, scopedHistories } from './scope.js';
import { checkpointOf, shapeAt } from './shape.js';
import { kindCurves, syntheticCurves } from './test-curves.js';

const tasks = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const LOSS = { metric: 'val_loss', mode: 'min', family: 'lm', reversed: true } as const;

/** History of three scopes: an image family with enough tasks, NLI accuracy beside it, and loss curves. */
const scopedHistory = () => [
  ...kindCurves(tasks('img', MIN_FAMILY_TASKS), { metric: 'top1', mode: 'max', family: 'image' }, 8),
  ...kindCurves(tasks('nli', 2), { metric: 'accuracy', mode: 'max', family: 'nli', reversed: true }, 8),
  ...kindCurves(tasks('lm', 3), LOSS, 8),
];

/** New runs of every scope and of none, before they start and during them. */
function queriesOf(): StopQuery[] {
  const curves = [
    ...kindCurves(['q-img'], { metric: 'top1', mode: 'max', family: 'image' }, 6),
    ...kindCurves(['q-nli'], { metric: 'acc', mode: 'max', family: 'nli' }, 6),
    ...kindCurves(['q-lm'], { metric: 'loss', mode: 'min', family: 'other-lm' }, 6),
    ...kindCurves(['q-wer'], { metric: 'validation/wer', mode: 'min', family: 'speech' }, 6),
  ];
  const features = curvesFeatures(curves);
  return [0, 0.1, 0.35, 1].flatMap((upTo) =>
    curves.map((c, i) => ({
      id: `${c.id}@${upTo}`,
      features: features[i] ?? ({} as RunFeatures),
      budgetTokens: c.budgetTokens,
      evals: c.evals.filter((e) => e.tokens <= upTo * c.budgetTokens),
    })),
  );
}

const withoutVersion = (m: Map<string, StopPrediction>) =>
  [...m].map(([id, { metaModelVersion: _version, ...p }]) => [id, p]);

describe.each(BACKENDS)('curfew_predict_stop by scope (0009) on $name', (backend) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.cleanup();
    database = undefined;
  });

  it("reads a metric's kind as @curfew/policies does", async () => {
    database = await backend.create();
    const names = [
      ['validation/accuracy', 'max'],
      ['top1', 'max'],
      ['em', 'max'],
      ['val_loss', 'min'],
      ['loss_ppl', 'min'],
      ['top1_error', 'min'],
      ['validation/wer', 'min'],
      ['validation/ssim', 'max'],
      ['Val-BPB', 'min'],
      ['reward', 'max'],
      ['mean reward/episode', 'max'],
      ['', 'max'],
      ['__', 'min'],
    ] as const;
    const result = await database.store.db.execute(sql`
      SELECT x.ord, curfew_metric_kind(x.metric, x.mode) AS kind
      FROM jsonb_to_recordset(${JSON.stringify(names.map(([metric, mode], ord) => ({ ord, metric, mode })))}::jsonb)
        AS x(ord int, metric text, mode text)
      ORDER BY x.ord`);
    const kinds = (result as unknown as { rows: { kind: string }[] }).rows.map((r) => r.kind);
    expect(kinds).toEqual(names.map(([metric, mode]) => metricKind(metric, mode)));
  });

  it('answers as the TypeScript mirror in every scope, and where no scope holds the run', async () => {
    database = await backend.create();
    const { db } = database.store;
    await loadCurvesAsHistory(db, scopedHistory());
    const { state } = await fitMetaModel(db);
    expect(state.scopes?.map((s) => [s.metric, s.family])).toEqual([
      ['accuracy:max', null],
      ['accuracy:max', 'image'],
      ['loss:min', null],
    ]);
    const history = chooseFitSample(await readHistory(db));
    const evals = await readEvals(
      db,
      history.map((r) => r.runId),
    );
    const fitted = fitState(history.map((r) => ({ ...r, evals: evals.get(r.runId) ?? [] })));
    expect(fitted.state.scopes).toEqual(state.scopes);
    const histories = scopedHistories(fitted);
    const queries = queriesOf();
    const fromSql = await predictStopMany(db, queries);
    expect(fromSql.size).toBe(queries.length);
    for (const q of queries) {
      const checkpoint = checkpointOf(q.evals ?? [], q.budgetTokens ?? 0);
      const mode = q.features.mode === 'min' ? 'min' : 'max';
      const ts = predictScoped(histories, q.features, {
        family: String(q.features.family),
        checkpoint,
        shape: shapeAt(q.evals ?? [], q.budgetTokens ?? 0, mode, checkpoint),
      });
      const p = fromSql.get(q.id);
      expect(p?.checkpoint).toBe(checkpoint);
      expect(p?.peakFraction).toBeCloseTo(ts?.peakFraction ?? Number.NaN, 9);
      expect(p?.lowFraction).toBeCloseTo(ts?.low ?? Number.NaN, 9);
      expect(p?.highFraction).toBeCloseTo(ts?.high ?? Number.NaN, 9);
      expect(p?.peakValue).toBeCloseTo(ts?.peakValue ?? Number.NaN, 9);
      expect(p?.sources.map((s) => s.run_id)).toEqual(ts?.sources.map((s) => s.runId));
    }
    // Each new run draws on its own scope: image runs on the image family, loss runs on loss
    // curves, a WER run (no history of its kind) on all of history.
    const sourceTasks = (prefix: string) =>
      new Set(
        [...fromSql]
          .filter(([id]) => id.startsWith(prefix))
          .flatMap(([, p]) => p.sources.map((s) => s.run_id.replace(/\d*\/.*$/, ''))),
      );
    expect(sourceTasks('q-img')).toEqual(new Set(['img']));
    expect(sourceTasks('q-lm')).toEqual(new Set(['lm']));
    expect([...sourceTasks('q-nli')].every((t) => t !== 'lm')).toBe(true);
    const rows = await db.execute(
      sql`SELECT scope, count(*)::int AS n FROM meta_scope_history GROUP BY scope ORDER BY scope`,
    );
    expect((rows as unknown as { rows: { scope: number; n: number }[] }).rows).toEqual([
      { scope: 1, n: (MIN_FAMILY_TASKS + 2) * 8 },
      { scope: 2, n: MIN_FAMILY_TASKS * 8 },
      { scope: 3, n: 3 * 8 },
    ]);
  });

  it("leaves an accuracy run's prediction bit-identical when history gains loss curves", async () => {
    database = await backend.create();
    const { db } = database.store;
    await loadCurvesAsHistory(db, syntheticCurves(['a', 'b', 'c']));
    await fitMetaModel(db);
    const queries = queriesOf().filter((q) => q.features.metric !== 'loss' && !q.id.startsWith('q-wer'));
    const before = await predictStopMany(db, queries);
    await loadCurvesAsHistory(db, kindCurves(['x', 'y', 'z'], LOSS));
    const grown = await fitMetaModel(db);
    const after = await predictStopMany(db, queries);
    expect([...after.values()].every((p) => p.metaModelVersion === grown.version)).toBe(true);
    expect(withoutVersion(after)).toEqual(withoutVersion(before));
    expect(after.size).toBe(queries.length);
  });
});
