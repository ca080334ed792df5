import { describe, expect, it } from 'vitest';
import { chooseGrid, type RunPoints } from '../curves/align-curves';
import { curveChart } from '../views/chart-parts';
import { applyExperimentDelta } from './apply-delta';
import type { ExperimentView, RunRow } from './views';

const row = (trial: number, fields: Partial<RunRow> = {}): RunRow => ({
  id: `e-1/${trial}`,
  trial,
  status: 'running',
  unfinished: true,
  stopReason: null,
  error: null,
  config: {},
  backend: null,
  attempts: 1,
  tokensUsed: 0,
  budgetTokens: 1000,
  tokensSaved: null,
  bestStep: null,
  bestTokens: null,
  deployedEm: null,
  evals: 0,
  prediction: null,
  ...fields,
});

const points = (runId: string, values: number[]): RunPoints => ({
  runId,
  points: values.map((value, i) => ({ tokens: (i + 1) * 100, value })),
});

function chartOf(rows: RunRow[], curves: RunPoints[], all: RunPoints[]) {
  const grid = chooseGrid(all);
  const byId = new Map(curves.map((c) => [c.runId, c.points]));
  return curveChart({ metric: 'em', mode: 'max', runs: rows, pointsOf: (id) => byId.get(id) ?? [], grid });
}

describe('applyExperimentDelta', () => {
  it('replaces the changed runs and adds new ones in trial order, keeping the others', () => {
    const before = [points('e-1/0', [0.1, 0.2, 0.3]), points('e-1/2', [0.5])];
    const rows = [row(0), row(2)];
    const metric = chartOf(rows, before, before);
    const view = {
      experiment: {} as ExperimentView['experiment'],
      runs: rows,
      metric,
      loss: metric,
      savings: [],
    } satisfies ExperimentView;
    const changedCurves = [points('e-1/2', [0.5, 0.6]), points('e-1/1', [0.4])];
    const changedRows = [row(2, { evals: 2 }), row(1, { evals: 1 })];
    const update = chartOf(changedRows, changedCurves, [...before, ...changedCurves]);
    const after = applyExperimentDelta(view, {
      experiment: view.experiment,
      runs: changedRows,
      metric: update,
      loss: update,
      savings: [],
      changed: ['e-1/2', 'e-1/1'],
    });
    expect(after.runs.map((r) => [r.trial, r.evals])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(after.metric.curves.series.map((s) => [s.runId, s.values])).toEqual([
      ['e-1/0', [0.1, 0.2, 0.3]],
      ['e-1/1', [0.4]],
      ['e-1/2', [0.5, 0.6]],
    ]);
    expect(after.metric.curves.sourcePoints).toBe(6);
    expect(after.metric.markers.map((m) => [m.runId, m.value])).toEqual([
      ['e-1/0', 0.3],
      ['e-1/1', 0.4],
      ['e-1/2', 0.6],
    ]);
  });
});
