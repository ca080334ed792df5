import { DecisionService } from '@curfew/decisions';
import { parseSpec } from '@curfew/spec';
import { decisions, insertExperimentRuns } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.cleanup();
  database = undefined;
});

/** Two runs of a median-policy experiment, decided through the service: the second is stopped. */
async function seed(db: TestDatabase['store']['db']): Promise<void> {
  const parsed = parseSpec(
    JSON.stringify({
      name: 'log',
      task: { family: 'reverse' },
      model: { family: 'mlp' },
      search: { method: 'grid', space: { lr: { grid: [0.01, 0.02] } } },
      budget: { max_tokens_per_run: 1000 },
      policy: { name: 'median', startup_runs: 1, warmup_evals: 0 },
    }),
    { filename: 'log.json' },
  );
  if (!parsed.ok) throw new Error('bad test spec');
  const spec = parsed.spec as unknown as Record<string, unknown>;
  const runs = [0, 1].map((trial) => ({
    id: `log-1/${trial}`,
    experimentId: 'log-1',
    trial,
    budgetTokens: 1000,
  }));
  await insertExperimentRuns(
    db,
    { id: 'log-1', name: 'log', spec, taskFamily: 'reverse', policy: 'median', status: 'running' },
    runs,
  );
  const service = new DecisionService({ db });
  for (const run of runs) {
    await service.startAttempt({ runId: run.id, workerId: 'test:1', backend: 'cpu' });
    await service.resume({ runId: run.id, attempt: 1, step: null, fromAttempt: null });
  }
  const report = (runId: string, step: number, em: number) =>
    service.report({ runId, attempt: 1, step, tokens: step * 10, metrics: { em } });
  await report('log-1/0', 10, 0.5);
  await report('log-1/0', 20, 0.6);
  await service.finish({
    runId: 'log-1/0',
    attempt: 1,
    outcome: {
      status: 'completed',
      stopReason: 'budget',
      tokensUsed: 200,
      valTokens: 0,
      bestStep: 20,
      bestTokens: 200,
      deployedEm: 0.6,
    },
  });
  await report('log-1/1', 10, 0.2);
}

describe('curfew replay --experiment', () => {
  it("replays an experiment's decision log and says so; a decision that differs exits 1, naming it", async () => {
    database = await postgresBackend.create();
    await seed(database.store.db);
    const env = { DATABASE_URL: database.databaseUrl };
    const ok = await runCli(['replay', '--experiment', 'log-1'], { env });
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toBe('log-1: replayed 3 decisions: every one reproduced exactly\n');

    // A log edited by hand no longer replays.
    await database.store.db
      .update(decisions)
      .set({ decision: { kind: 'continue' }, kind: 'continue', reason: null })
      .where(eq(decisions.runId, 'log-1/1'));
    const bad = await runCli(['replay', '--experiment', 'log-1'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /^log-1: replayed 3 decisions: 1 differ\n {2}log-1\/1 step 10 \(seq \d+\): decision recorded \{"kind":"continue"\}, replayed \{"kind":"stop","reason":"median"/,
    );

    const missing = await runCli(['replay', '--experiment', 'nope-1'], { env });
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr.trim()).toBe('experiment nope-1 does not exist (curfew status lists them)');
    const mixed = await runCli(['replay', '--experiment', 'log-1', '--policy', 'none'], { env });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr.trim()).toBe(
      'curfew replay: --experiment replays a recorded decision log; it takes no --curves or --policy',
    );
  }, 180_000);
});
