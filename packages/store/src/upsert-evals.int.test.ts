import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { evals } from './schema/evals.js';
import { BACKENDS } from './test-backends.js';
import { seededStorePerTest } from './test-fixtures.js';
import { upsertEvals } from './upsert-evals.js';

describe.each(BACKENDS)('upsertEvals on $name', (backend) => {
  const store = seededStorePerTest(backend);

  const runId = 'kv-qa-sweep-3/2';
  const curve = Array.from({ length: 25 }, (_, i) => ({
    runId,
    step: (i + 1) * 100,
    tokens: (i + 1) * 51_200,
    em: i / 100,
    metrics: { f1: i / 50 },
  }));

  async function stored() {
    return store().db.select().from(evals).where(eq(evals.runId, runId)).orderBy(asc(evals.step));
  }

  it('writing the same evals twice leaves one row per (run_id, step)', async () => {
    expect(await upsertEvals(store().db, curve, { batchSize: 7 })).toBe(25);
    await upsertEvals(store().db, curve, { batchSize: 7 });
    const rows = await stored();
    expect(rows).toHaveLength(25);
    expect(rows[24]).toMatchObject({ step: 2500, tokens: 1_280_000, em: 0.24, metrics: { f1: 0.48 } });
  });

  it('update (default) keeps the last write; ignore keeps the first', async () => {
    await upsertEvals(store().db, curve.slice(0, 2));
    await upsertEvals(store().db, [{ runId, step: 100, tokens: 51_200, em: 0.5 }]);
    await upsertEvals(store().db, [{ runId, step: 200, tokens: 102_400, em: 0.9 }], { onConflict: 'ignore' });
    // Duplicates within one call: the later row wins instead of failing the batch.
    await upsertEvals(store().db, [
      { runId, step: 300, tokens: 153_600, em: 0.1 },
      { runId, step: 300, tokens: 153_600, em: 0.2 },
    ]);
    expect((await stored()).map((r) => [r.step, r.em])).toEqual([
      [100, 0.5],
      [200, 0.01],
      [300, 0.2],
    ]);
  });

  it('stores every column as given, defaults where a row has none, in one batch or many', async () => {
    const awkward = { 'f1 "quoted", {braced}': 0.25, 'back\\slash': -1 };
    const createdAt = new Date('2026-01-02T03:04:05.000Z');
    const rows = [
      { runId, step: 1, tokens: 10, valTokens: 7, trainLoss: 0.5, lr: 0.01, metrics: awkward, createdAt },
      { runId, step: 2, tokens: 20, em: null, metrics: null, seq: 2 ** 40, attempt: 3 },
    ];
    for (const batchSize of [1, 5000]) {
      await upsertEvals(store().db, rows, { batchSize });
      const [first, second] = await stored();
      expect(first).toMatchObject({ valTokens: 7, trainLoss: 0.5, lr: 0.01, metrics: awkward, createdAt });
      expect(second).toMatchObject({ valTokens: 0, em: null, metrics: null, seq: 2 ** 40, attempt: 3 });
      expect(second?.createdAt.getTime()).toBeGreaterThan(createdAt.getTime());
    }
  });
});
