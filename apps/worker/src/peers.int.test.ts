import { finishRun, insertExperimentRuns, upsertEvals } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPeers } from './peers';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.cleanup();
  database = undefined;
});

describe('loadPeers', () => {
  it('shows a run its peers only up to its own tokens, so concurrent reports decide alike', async () => {
    database = await postgresBackend.create();
    const db = database.store.db;
    await insertExperimentRuns(db, { id: 'x-1', name: 'x', spec: {}, taskFamily: 'add', policy: 'asha' }, [
      { id: 'x-1/0', experimentId: 'x-1', trial: 0, budgetTokens: 400, config: { lr: 0.01 } },
      { id: 'x-1/1', experimentId: 'x-1', trial: 1, budgetTokens: 400 },
      { id: 'x-1/2', experimentId: 'x-1', trial: 2, budgetTokens: 400 },
    ]);
    const curve = (runId: string, ems: number[]) =>
      ems.map((em, i) => ({ runId, step: i + 1, tokens: 100 * (i + 1), em, valLoss: 1 - em }));
    await upsertEvals(db, [...curve('x-1/0', [0.1, 0.2, 0.3, 0.4]), ...curve('x-1/2', [0.5, 0.6])]);
    await finishRun(db, 'x-1/0', {
      status: 'completed',
      stopReason: 'budget',
      tokensUsed: 400,
      valTokens: 0,
      bestStep: 4,
      bestTokens: 400,
      deployedEm: 0.4,
    });

    const peers = await loadPeers(db, 'x-1', 'x-1/1', 'em', 200);
    expect(peers.map((p) => p.id)).toEqual(['x-1/0', 'x-1/2']);
    expect(peers[0]).toMatchObject({ finished: true, budgetTokens: 400, features: { lr: 0.01 } });
    expect(peers[0]?.evals.map((e) => e.value)).toEqual([0.1, 0.2]);
    expect(peers[1]).toMatchObject({
      finished: false,
      evals: [
        { step: 1, tokens: 100, value: 0.5 },
        { step: 2, tokens: 200, value: 0.6 },
      ],
    });
    // A loss monitor reads val_loss.
    const byLoss = await loadPeers(db, 'x-1', 'x-1/1', 'loss', 100);
    expect(byLoss[0]?.evals).toEqual([{ step: 1, tokens: 100, value: 0.9 }]);
  });
});
