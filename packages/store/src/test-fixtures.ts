import { afterEach, beforeEach } from 'vitest';
import type { StoreDatabase } from './database.js';
import type { Store } from './open-store.js';
import { experiments } from './schema/experiments.js';
import { runs } from './schema/runs.js';
import type { TestBackend, TestDatabase } from './test-backends.js';
import { upsertEvals } from './upsert-evals.js';

/**
 * Two experiments (not exported; for tests):
 * - kv-qa-sweep-3 (kv-qa, auto): trial 0 completed 1000/1000 EM 0.8, trial 1 stopped 400/1000
 *   EM 0.79, trial 2 running 100/1000 with no EM yet.
 * - copy-1 (copy, patience): trial 0 stopped 500/2000 EM 0.5.
 */
export async function seedHistory(db: StoreDatabase): Promise<void> {
  await db.insert(experiments).values([
    {
      id: 'kv-qa-sweep-3',
      name: 'kv-qa-sweep',
      spec: { name: 'kv-qa-sweep' },
      taskFamily: 'kv-qa',
      policy: 'auto',
      tolerance: 0.005,
      status: 'running',
    },
    { id: 'copy-1', name: 'copy', spec: { name: 'copy' }, taskFamily: 'copy', policy: 'patience' },
  ]);
  await db.insert(runs).values([
    run('kv-qa-sweep-3', 0, { status: 'completed', tokensUsed: 1000, deployedEm: 0.8, bestStep: 10 }),
    run('kv-qa-sweep-3', 1, {
      status: 'stopped',
      tokensUsed: 400,
      deployedEm: 0.79,
      bestStep: 3,
      stopReason: 'plateau',
    }),
    run('kv-qa-sweep-3', 2, { status: 'running', tokensUsed: 100 }),
    run('copy-1', 0, { status: 'stopped', tokensUsed: 500, budgetTokens: 2000, deployedEm: 0.5 }),
  ]);
  await upsertEvals(db, [
    { runId: 'kv-qa-sweep-3/1', step: 1, tokens: 100, em: 0.5, valLoss: 1.2 },
    { runId: 'kv-qa-sweep-3/1', step: 2, tokens: 200, em: 0.7, valLoss: 0.9 },
    { runId: 'kv-qa-sweep-3/1', step: 3, tokens: 300, em: 0.79, valLoss: 0.8 },
    { runId: 'kv-qa-sweep-3/1', step: 4, tokens: 400, em: 0.78, valLoss: 0.82 },
  ]);
}

function run(experimentId: string, trial: number, fields: Partial<typeof runs.$inferInsert>) {
  return {
    id: `${experimentId}/${trial}`,
    experimentId,
    trial,
    config: { lr: 0.001 * (trial + 1) },
    budgetTokens: 1000,
    backend: 'cpu',
    ...fields,
  };
}

/**
 * Inside a `describe`: a fresh database seeded with `seedHistory` for every test, dropped after
 * it. Returns the current test's store.
 */
export function seededStorePerTest(backend: TestBackend): () => Store {
  let current: TestDatabase | undefined;
  // PGlite's first database of a file is made by initdb in WebAssembly: on a loaded machine that
  // alone outlasts vitest's default 10 s hook timeout.
  beforeEach(async () => {
    current = await backend.create();
    await seedHistory(current.store.db);
  }, 180_000);
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('seededStorePerTest: the store exists only while a test runs');
    return current.store;
  };
}
