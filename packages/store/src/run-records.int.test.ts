import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  cancelRuns,
  finishRun,
  insertExperimentRuns,
  markRunRunning,
  peerRuns,
  recordCheckpoint,
  runStatus,
} from './run-records.js';
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

  it('counts attempts, records the backend and the outcome', async () => {
    await insertExperimentRuns(store().db, experiment, newRuns);
    expect(await markRunRunning(store().db, 'add-1/0', 'wasm')).toBe('queued');
    expect(await markRunRunning(store().db, 'add-1/0', 'wasm')).toBe('running');
    await finishRun(store().db, 'add-1/0', {
      status: 'stopped',
      stopReason: 'plateau',
      tokensUsed: 400,
      valTokens: 90,
      bestStep: 30,
      bestTokens: 300,
      deployedEm: 0.75,
    });
    const [row] = await store().db.select().from(runs).where(eq(runs.id, 'add-1/0'));
    expect(row).toMatchObject({
      status: 'stopped',
      attempts: 2,
      backend: 'wasm',
      stopReason: 'plateau',
      tokensUsed: 400,
      deployedEm: 0.75,
    });
    expect(row?.finishedAt).toBeInstanceOf(Date);
    // An ended run is not started again by a re-delivered job.
    expect(await markRunRunning(store().db, 'add-1/0', 'wasm')).toBe('stopped');
    await expect(runStatus(store().db, 'add-1/9')).rejects.toThrow('run add-1/9 does not exist');
  });

  it('cancels only runs that have not ended', async () => {
    await insertExperimentRuns(store().db, experiment, newRuns);
    await markRunRunning(store().db, 'add-1/1', 'cpu');
    await finishRun(store().db, 'add-1/2', {
      status: 'completed',
      stopReason: 'budget',
      tokensUsed: 1000,
      valTokens: 0,
      bestStep: 1,
      bestTokens: 1000,
      deployedEm: 0.5,
    });
    expect(await cancelRuns(store().db, ['add-1/0', 'add-1/1', 'add-1/2'])).toBe(2);
    expect(await runStatus(store().db, 'add-1/1')).toBe('cancelled');
    expect(await runStatus(store().db, 'add-1/2')).toBe('completed');
  });

  it('keeps one checkpoint row per step, and a best flag once set', async () => {
    await insertExperimentRuns(store().db, experiment, newRuns);
    const base = { runId: 'add-1/0', step: 10, tokens: 100, bytes: 64 };
    await recordCheckpoint(store().db, { ...base, path: '/a/best.json', isBest: true });
    await recordCheckpoint(store().db, { ...base, path: '/a/latest.json', isBest: false });
    const rows = await store().db.select().from(checkpoints);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ isBest: true, path: '/a/best.json' });
  });

  it('reads the other runs of an experiment with their evals in step order', async () => {
    const peers = await peerRuns(store().db, 'kv-qa-sweep-3', 'kv-qa-sweep-3/2');
    expect(peers.map((p) => p.runId)).toEqual(['kv-qa-sweep-3/0', 'kv-qa-sweep-3/1']);
    for (const peer of peers) {
      const steps = peer.evals.map((e) => e.step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
    }
    expect(peers[0]?.status).toBe('completed');
  });
});
