import { describe, expect, it } from 'vitest';
import { bestEval, buildReport, runRow } from './report-model';
import { evalsOf, experimentRow, storedRun } from './test-data';

describe('report model', () => {
  it('ships the first eval with the highest EM', () => {
    expect(bestEval(evalsOf([0.2, null, 0.5, 0.5, 0.4]))).toEqual({ step: 3, tokens: 300, em: 0.5 });
    expect(bestEval(evalsOf([null]))).toBeNull();
  });

  it('shows an ended run as the worker stored it', () => {
    const row = runRow(
      storedRun(0, {
        status: 'stopped',
        stopReason: 'plateau',
        tokensUsed: 400,
        bestStep: 3,
        deployedEm: 0.75,
        evals: evalsOf([0.5, 0.7, 0.75, 0.74]),
      }),
    );
    expect(row).toMatchObject({
      unfinished: false,
      tokensUsed: 400,
      tokensSaved: 0.6,
      bestStep: 3,
      deployedEm: 0.75,
    });
  });

  it('reads a running run from its evals so far, and claims no savings for it yet', () => {
    const row = runRow(storedRun(2, { status: 'running', evals: evalsOf([0.2, 0.3, 0.25]) }));
    expect(row).toMatchObject({
      unfinished: true,
      tokensUsed: 300,
      tokensSaved: null,
      bestStep: 2,
      deployedEm: 0.3,
    });
  });

  it('totals the runs, and picks the best by EM, then fewer tokens, then lower trial', () => {
    const report = buildReport(experimentRow(), [
      storedRun(1, { status: 'completed', tokensUsed: 1000, deployedEm: 0.8 }),
      storedRun(0, { status: 'stopped', tokensUsed: 400, deployedEm: 0.8 }),
      storedRun(2, { status: 'running', evals: evalsOf([0.1, 0.2]) }),
    ]);
    expect(report.runs.map((r) => r.trial)).toEqual([0, 1, 2]);
    expect(report.totals).toEqual({
      runs: 3,
      unfinishedRuns: 1,
      tokensUsed: 1600,
      budgetTokens: 3000,
      tokensSaved: 1 - 1600 / 3000,
      bestEm: 0.8,
      bestRunId: 'kv-qa-sweep-3/0',
    });
  });

  it("falls back to the experiment's stored budget when a run has none, and to its totals with no runs", () => {
    const partial = buildReport(experimentRow({ budgetTokens: 4000 }), [
      storedRun(0, { status: 'completed', tokensUsed: 1000 }),
      storedRun(1, { budgetTokens: null }),
    ]);
    expect(partial.totals).toMatchObject({
      budgetTokens: 4000,
      tokensSaved: 0.75,
      bestEm: null,
      bestRunId: null,
    });

    const none = buildReport(experimentRow({ status: 'pending' }), []);
    expect(none.totals).toMatchObject({ runs: 0, tokensUsed: 0, budgetTokens: null, tokensSaved: null });
  });
});
