import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { finishRun, insertExperimentRuns, recordCheckpoint, runStatus } from './run-records.js';
import { checkpoints } from './schema/checkpoints.js';
import { runs } from './schema/runs.js';
import { BACKENDS } from './test-backends.js';
import { seededStorePerTest } from './test-fixtures.js';

describe.each(BACKENDS)('run records on $name', (backend) => {
  const store = seededStorePerTest(backend);
  const experiment = { id: 'add-1', name: 'add', spec: { name: 'add' }, taskFamily: 'add', policy: 'auto' };
  const newRuns = [0, 1, 2].map((trial) => ({
    id: `add-1/${trial}`,
    experimentId: 'add-1',
    trial,
    budgetTokens: 1000,
  }));

  it('stores an experiment and its runs idempotently (a restarted expansion adds nothing)', async () => {
    await insertExperimentRuns(store().db, experiment, newRuns);
    await insertExperimentRuns(store().db, experiment, newRuns);
    const rows = await store().db.select().from(runs).where(eq(runs.experimentId, 'add-1'));
    expect(rows.map((r) => r.id).sort()).toEqual(['add-1/0', 'add-1/1', 'add-1/2']);
  });

  it('ends a run that has not ended with its outcome, once', async () => {
    await insertExperimentRuns(store().db, experiment, newRuns);
    const outcome = {
      status: 'stopped' as const,
      stopReason: 'plateau',
      tokensUsed: 400,
      valTokens: 90,
      bestStep: 30,
      bestTokens: 300,
      deployedEm: 0.75,
    };
    expect(await finishRun(store().db, 'add-1/0', outcome)).toBe(true);
    const [row] = await store().db.select().from(runs).where(eq(runs.id, 'add-1/0'));
    expect(row).toMatchObject({
      status: 'stopped',
      stopReason: 'plateau',
      tokensUsed: 400,
      deployedEm: 0.75,
    });
    expect(row?.finishedAt).toBeInstanceOf(Date);
    expect(row?.endSeq).toBeGreaterThan(0);
    // An ended run keeps its end: a second outcome is refused.
    expect(await finishRun(store().db, 'add-1/0', { ...outcome, status: 'completed' })).toBe(false);
    expect(await runStatus(store().db, 'add-1/0')).toBe('stopped');
    await expect(runStatus(store().db, 'add-1/9')).rejects.toThrow('run add-1/9 does not exist');
  });

  it('keeps one checkpoint row per attempt and step, and a best flag once set', async () => {
    await insertExperimentRuns(store().db, experiment, newRuns);
    const base = { runId: 'add-1/0', attempt: 1, step: 10, tokens: 100, bytes: 64 };
    await recordCheckpoint(store().db, { ...base, path: '/a/best.json', isBest: true });
    await recordCheckpoint(store().db, { ...base, path: '/a/latest.json', isBest: false });
    const rows = await store().db.select().from(checkpoints);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ isBest: true, path: '/a/best.json' });
  });
});
