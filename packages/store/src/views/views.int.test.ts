import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../test-backends.js';
import { seededStorePerTest } from '../test-fixtures.js';
import { experimentSummary } from './experiment-summary.js';
import { runSummary } from './run-summary.js';
import { savings } from './savings.js';

describe.each(BACKENDS)('views on $name', (backend) => {
  const store = seededStorePerTest(backend);

  it('run_summary: one row per run with tokens saved as a fraction of its budget', async () => {
    const { fields, rows } = await store().readOnlyQuery(
      "select * from run_summary where experiment = 'kv-qa-sweep-3' order by trial",
    );
    expect(fields).toEqual([
      'experiment',
      'experiment_name',
      'run_id',
      'trial',
      'status',
      'config',
      'tokens_used',
      'budget_tokens',
      'tokens_saved',
      'best_step',
      'deployed_em',
      'stop_reason',
      'backend',
      'evals',
      'started_at',
      'finished_at',
    ]);
    expect(rows.map((r) => [r.run_id, r.status, r.tokens_used, r.tokens_saved, r.evals])).toEqual([
      ['kv-qa-sweep-3/0', 'completed', 1000, 0, 0],
      ['kv-qa-sweep-3/1', 'stopped', 400, 0.6, 4],
      ['kv-qa-sweep-3/2', 'running', 100, 0.9, 0],
    ]);
    expect(rows[1]).toMatchObject({ experiment_name: 'kv-qa-sweep', stop_reason: 'plateau', best_step: 3 });

    const typed = await store().db.select().from(runSummary).where(eq(runSummary.runId, 'kv-qa-sweep-3/1'));
    expect(typed[0]).toMatchObject({ tokensUsed: 400, budgetTokens: 1000, tokensSaved: 0.6, evals: 4 });
  });

  it('run_summary: tokens_saved is null when the budget is unknown', async () => {
    const { rows } = await store().readOnlyQuery('select count(*) as runs from run_summary');
    expect(rows[0]?.runs).toBe(4);
    const { db } = store();
    const { runs } = await import('../schema/runs.js');
    await db.update(runs).set({ budgetTokens: null }).where(eq(runs.id, 'copy-1/0'));
    const after = await store().readOnlyQuery(
      "select tokens_saved from run_summary where run_id = 'copy-1/0'",
    );
    expect(after.rows).toEqual([{ tokens_saved: null }]);
  });

  it('experiment_summary: totals computed from the runs', async () => {
    const rows = await store().db.select().from(experimentSummary).orderBy(asc(experimentSummary.experiment));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      experiment: 'kv-qa-sweep-3',
      name: 'kv-qa-sweep',
      status: 'running',
      taskFamily: 'kv-qa',
      policy: 'auto',
      tolerance: 0.005,
      runs: 3,
      runsFinished: 2,
      runsStoppedEarly: 1,
      runsFailed: 0,
      tokensUsed: 1500,
      budgetTokens: 3000,
      tokensSaved: 0.5,
      bestEm: 0.8,
      bestRunId: 'kv-qa-sweep-3/0',
    });
    expect(rows[0]).toMatchObject({ experiment: 'copy-1', runs: 1, tokensSaved: 0.75, bestEm: 0.5 });
  });

  it('savings: finished runs per task family and policy, plus an overall row', async () => {
    const { rows } = await store().readOnlyQuery('select * from savings');
    expect(rows).toHaveLength(3);
    const [copy, kvQa, all] = rows;
    expect(copy).toEqual({
      task_family: 'copy',
      policy: 'patience',
      experiments: 1,
      runs: 1,
      tokens_used: 500,
      budget_tokens: 2000,
      tokens_saved: 0.75,
      mean_deployed_em: 0.5,
    });
    expect(kvQa).toMatchObject({ task_family: 'kv-qa', policy: 'auto', experiments: 1, runs: 2 });
    expect(kvQa?.tokens_used).toBe(1400);
    expect(kvQa?.tokens_saved).toBeCloseTo(0.3, 12);
    expect(kvQa?.mean_deployed_em).toBeCloseTo(0.795, 12);
    expect(all).toMatchObject({
      task_family: 'all',
      policy: 'all',
      experiments: 2,
      runs: 3,
      tokens_used: 1900,
      budget_tokens: 4000,
    });
    expect(all?.tokens_saved).toBeCloseTo(0.525, 12);
    expect(all?.mean_deployed_em).toBeCloseTo((0.8 + 0.79 + 0.5) / 3, 12);

    const typed = await store().db.select().from(savings).where(eq(savings.taskFamily, 'all'));
    expect(typed[0]).toMatchObject({ runs: 3, tokensUsed: 1900, budgetTokens: 4000 });
  });
});
