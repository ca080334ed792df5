import { appendRunLog } from '@curfew/store';
import { BACKENDS } from '@curfew/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurveChart } from '../shared/chart-data';
import type { ExperimentsView, ExperimentView, RunView } from '../shared/views';
import { type DashboardFixture, dashboardFixture } from '../test/dashboard-fixture';
import { EXP, seedSweep } from '../test/seed';
import { DECIDED_RUN, seedDecided } from '../test/seed-decided';

const valuesOf = (chart: CurveChart, runId: string) =>
  chart.curves.series.find((s) => s.runId === runId)?.values.filter((v) => v !== null);

describe.each(BACKENDS)('the dashboard’s views on $name', (backend) => {
  let fixture: DashboardFixture;
  const json = async <T>(path: string) => {
    const response = await fixture.get(path);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  beforeAll(async () => {
    fixture = await dashboardFixture(backend, { seed: (d) => seedSweep(d.store.db) });
  });
  afterAll(() => fixture?.close());

  it('lists experiments with runs by status, tokens used and saved, best EM, policy and tolerance', async () => {
    const { experiments } = await json<ExperimentsView>('/api/experiments');
    expect(experiments.map((e) => e.id).sort()).toEqual(['empty-1', EXP]);
    const sweep = experiments.find((e) => e.id === EXP);
    expect(sweep).toMatchObject({
      status: 'running',
      policy: 'auto',
      tolerance: 0.005,
      runs: { total: 4, queued: 0, running: 1, stopped: 1, completed: 1, failed: 1, cancelled: 0 },
      // 400 + 1000 + 200 so far + 0 of 4 × 1000.
      tokensUsed: 1600,
      budgetTokens: 4000,
      bestEm: 0.8,
      bestRunId: `${EXP}/1`,
    });
    // Over the three runs that ended: 1 − 1400 / 3000.
    expect(sweep?.tokensSaved).toBeCloseTo(1 - 1400 / 3000, 10);
    expect(experiments.find((e) => e.id === 'empty-1')).toMatchObject({
      runs: { total: 1, queued: 1 },
      tokensSaved: null,
      bestEm: null,
    });
  });

  it('shows an experiment: its runs beside their predictions, every curve with where and why it ended', async () => {
    const view = await json<ExperimentView>(`/api/experiments/${EXP}`);
    expect(view.experiment).toMatchObject({ id: EXP, monitor: 'em', mode: 'max' });
    expect(view.runs.map((r) => [r.trial, r.status])).toEqual([
      [0, 'stopped'],
      [1, 'completed'],
      [2, 'running'],
      [3, 'failed'],
    ]);
    const [stopped, , running, failed] = view.runs;
    expect(stopped).toMatchObject({
      tokensSaved: 0.6,
      deployedEm: 0.75,
      evals: 4,
      prediction: { peakTokens: 350, lowTokens: 250, highTokens: 500, finalEm: 0.76 },
    });
    expect(running).toMatchObject({
      unfinished: true,
      tokensUsed: 200,
      deployedEm: 0.3,
      bestStep: 2,
      tokensSaved: null,
      prediction: null,
    });
    expect(failed?.error).toBe('out of memory <b>on</b> the worker');

    expect(view.metric.curves.downsampled).toBe(false);
    expect(view.metric.curves.series.map((s) => s.runId)).toEqual([`${EXP}/0`, `${EXP}/1`, `${EXP}/2`]);
    expect(valuesOf(view.metric, `${EXP}/0`)).toEqual([0.5, 0.7, 0.75, 0.74]);
    expect(valuesOf(view.loss, `${EXP}/2`)).toEqual([1.8, 1.7]);
    expect(view.metric.markers.map((m) => [m.trial, m.tokens, m.value, m.reason, m.live])).toEqual([
      [0, 400, 0.74, 'plateau', false],
      [1, 1000, 0.79, 'budget', false],
      [2, 200, 0.3, null, true],
    ]);
    expect(view.metric.budgets).toEqual([1000]);
    expect(view.savings.map((p) => [p.trial, p.tokensSaved, p.deployedEm])).toEqual([
      [0, 0.6, 0.75],
      [1, 0, 0.8],
    ]);
  });

  it('shows a run: curves, LR, its decisions with reasons, attempts, checkpoints and logs', async () => {
    const view = await json<RunView>(`/api/runs/${EXP}/0`);
    expect(view.run).toMatchObject({ id: `${EXP}/0`, status: 'stopped', stopReason: 'plateau', attempts: 1 });
    expect(view.loss.curves.series.map((s) => s.label)).toEqual(['validation loss', 'training loss']);
    expect(valuesOf(view.lr, `${EXP}/0`)).toEqual([0.01, 0.01, 0.005, 0.005]);
    expect(view.decisions).toEqual([
      { step: 3, tokens: 300, kind: 'adjust', reason: 'lr drop', detail: 'lr 0.01 → 0.005' },
      { step: 4, tokens: 400, kind: 'stop', reason: 'plateau', detail: null },
    ]);
    expect(view.checkpoints.map((c) => [c.step, c.isBest])).toEqual([
      [3, true],
      [4, false],
    ]);
    expect(view.logs).toEqual([]);

    const failed = await json<RunView>(`/api/runs/${EXP}/3`);
    expect(failed.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, expect.stringMatching(/^superseded/)],
      [2, 'failed'],
    ]);
    expect(failed.attempts[1]?.error).toBe('out of memory <b>on</b> the worker');
    expect(failed.logs.map((l) => [l.level, l.text])).toEqual([
      ['error', 'out of memory <b>on</b> the worker'],
    ]);
    expect(failed.decisions.at(-1)).toMatchObject({ kind: 'stop', reason: 'failed' });
  });

  it("shows a command trainer's output, attempt by attempt, before the run's error", async () => {
    const db = fixture.database.store.db;
    await appendRunLog(db, {
      runId: `${EXP}/3`,
      attempt: 1,
      text: 'loading data\ncurfew: attempt 1 failed: oom\n',
    });
    await appendRunLog(db, { runId: `${EXP}/3`, attempt: 2, text: 'resumed from step 2\n' });
    const failed = await json<RunView>(`/api/runs/${EXP}/3`);
    expect(failed.logs.map((l) => [l.level, l.text])).toEqual([
      ['info', '[attempt 1] loading data'],
      ['error', '[attempt 1] curfew: attempt 1 failed: oom'],
      ['info', '[attempt 2] resumed from step 2'],
      ['error', 'out of memory <b>on</b> the worker'],
    ]);
  });

  it('answers 404 for what does not exist, and serves the page of what does', async () => {
    for (const path of [
      '/experiments/nope-1',
      '/runs/nope-1/0',
      `/runs/${EXP}/99`,
      `/runs/${EXP}/x`,
      '/experiments/Bad_Id',
    ])
      expect((await fixture.get(path)).status, path).toBe(404);
    for (const path of [
      '/api/experiments/nope-1',
      `/api/runs/${EXP}/99`,
      '/api/events/experiments/nope-1',
      '/api/nothing',
    ])
      expect((await fixture.get(path)).status, path).toBe(404);
    const page = await fixture.get(`/runs/${EXP}/2`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`data-page="run" data-id="${EXP}/2" data-cancel="off"`);
  });
});

describe.each(BACKENDS)('a run the decision service decided, on $name', (backend) => {
  let fixture: DashboardFixture;
  beforeAll(async () => {
    fixture = await dashboardFixture(backend, { seed: (d) => seedDecided(d.store.db) });
  });
  afterAll(() => fixture?.close());

  it('shows the decision log and the recorded attempts, not a reconstruction', async () => {
    const response = await fixture.get(`/api/runs/${DECIDED_RUN}`);
    expect(response.status).toBe(200);
    const view = (await response.json()) as RunView;
    expect(view.decisionsRecorded).toBe(true);
    expect(view.decisions).toEqual([
      {
        step: 30,
        tokens: 300,
        kind: 'stop',
        reason: 'patience',
        detail: expect.stringContaining('discarded'),
      },
      {
        step: 30,
        tokens: 300,
        kind: 'stop',
        reason: 'patience',
        detail: expect.stringContaining('attempt 2'),
      },
    ]);
    expect(view.decisions[1]?.detail).not.toContain('discarded');
    expect(view.attempts.map((a) => [a.attempt, a.worker, a.backend, a.resumedFromStep, a.outcome])).toEqual([
      [1, 'w:1', 'cpu', 0, expect.stringMatching(/^superseded/)],
      [2, 'w:2', 'wasm', 20, 'stopped'],
    ]);
    expect(view.attempts.every((a) => a.startedAt !== null && a.endedAt !== null)).toBe(true);
  });
});
