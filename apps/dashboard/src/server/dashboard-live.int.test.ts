import { request } from 'node:http';
import { insertExperimentRuns, runStatus, runs, upsertEvals } from '@curfew/store';
import { postgresBackend } from '@curfew/store/testing';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExperimentDelta, ExperimentView } from '../shared/views';
import { type DashboardFixture, dashboardFixture, EventReader } from '../test/dashboard-fixture';
import { curve, EXP, seedSweep } from '../test/seed';

const TOKEN = 'operator-token-0123456789';
let fixture: DashboardFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});
const seeded = (token: string | null = null) =>
  dashboardFixture(postgresBackend, { token, seed: (d) => seedSweep(d.store.db) });

/** GET with a Host header of our choosing (fetch always sends the URL's). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard, live', () => {
  it('streams an experiment: a snapshot, then deltas with only the runs that changed', async () => {
    fixture = await seeded();
    const db = fixture.database.store.db;
    const response = await fixture.get(`/api/events/experiments/${EXP}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = new EventReader(response);
    const [first] = await stream.until((e) => e.length >= 1, 10_000);
    expect(first?.event).toBe('snapshot');
    expect((first?.data as ExperimentView | undefined)?.runs).toHaveLength(4);

    // Run 2 writes an eval at tokens the grid has: a delta with run 2 alone.
    await upsertEvals(db, curve(`${EXP}/2`, [0.2, 0.3, 0.45]));
    const events = await stream.until((e) => e.length >= 2, 10_000);
    await stream.close();
    expect(events).toHaveLength(2);
    const delta = events.at(-1);
    expect(delta?.event).toBe('delta');
    const change = delta?.data as ExperimentDelta;
    expect(change.changed).toEqual([`${EXP}/2`]);
    expect(change.runs.map((r) => [r.id, r.tokensUsed, r.deployedEm])).toEqual([[`${EXP}/2`, 300, 0.45]]);
    expect(change.metric.curves.series.map((s) => s.runId)).toEqual([`${EXP}/2`]);
    expect(change.metric.markers).toMatchObject([
      { runId: `${EXP}/2`, tokens: 300, value: 0.45, live: true },
    ]);
    expect(change.experiment.tokensUsed).toBe(1700);
  });

  it('sends a snapshot when the grid moves, and a new run as it appears', async () => {
    fixture = await seeded();
    const db = fixture.database.store.db;
    const stream = new EventReader(await fixture.get(`/api/events/experiments/${EXP}`));
    await stream.until((e) => e.length === 1, 10_000);
    await insertExperimentRuns(
      db,
      { id: EXP, name: 'sweep', spec: {}, taskFamily: 'kv-qa', policy: 'auto' },
      [{ id: `${EXP}/4`, experimentId: EXP, trial: 4, config: {}, budgetTokens: 1000 }],
    );
    await upsertEvals(db, [{ runId: `${EXP}/2`, step: 3, tokens: 333, em: 0.5 }]);
    // The new run may come in a delta of its own first; the new token count moves the grid.
    const seen = await stream.until((events) => {
      const view = events.at(-1)?.data as ExperimentView;
      return (
        events.at(-1)?.event === 'snapshot' && view.runs.length === 5 && view.metric.curves.x.includes(333)
      );
    }, 10_000);
    await stream.close();
    const last = seen.at(-1)?.data as ExperimentView;
    expect(last.runs.map((r) => r.trial)).toEqual([0, 1, 2, 3, 4]);
    expect(last.metric.curves.x).toContain(333);
  });

  it('refuses to cancel without a configured token, and shows no cancel button', async () => {
    fixture = await seeded(null);
    const page = await (await fixture.get(`/runs/${EXP}/2`)).text();
    expect(page).toContain('data-cancel="off"');
    const refused = await fixture.get(`/api/runs/${EXP}/2/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'read-only dashboard: set CURFEW_DASHBOARD_TOKEN to allow cancelling',
    });
    expect(await runStatus(fixture.database.store.db, `${EXP}/2`)).toBe('running');
  });

  it('cancels a run with the operator token (only with it): a running run is asked to stop at its next eval', async () => {
    fixture = await seeded(TOKEN);
    const db = fixture.database.store.db;
    expect(await (await fixture.get(`/runs/${EXP}/2`)).text()).toContain('data-cancel="on"');
    const post = (authorization?: string) =>
      fixture?.get(`/api/runs/${EXP}/2/cancel`, {
        method: 'POST',
        headers: authorization ? { authorization } : {},
      });
    for (const wrong of [undefined, 'Bearer nope', `Bearer ${TOKEN}x`, TOKEN])
      expect((await post(wrong))?.status, String(wrong)).toBe(403);
    expect(await runStatus(db, `${EXP}/2`)).toBe('running');
    const ok = await post(`Bearer ${TOKEN}`);
    expect(ok?.status).toBe(200);
    expect(await ok?.json()).toEqual({ cancelled: 1 });
    // Running: the decision service answers its next eval with stop (cancelled).
    const [row] = await db
      .select()
      .from(runs)
      .where(eq(runs.id, `${EXP}/2`));
    expect(row?.status).toBe('running');
    expect(row?.cancelRequestedSeq).not.toBeNull();
    const missing = await fixture.get(`/api/runs/${EXP}/42/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(missing.status).toBe(404);
    expect(fixture.logged).toContain(`curfew dashboard: cancelled 1 run of ${EXP}/2`);
  });

  it('answers only to loopback names, sends its pages with a strict policy, and serves its browser code', async () => {
    fixture = await seeded();
    expect(await getWithHost(fixture.dashboard.url, 'attacker.example')).toBe(403);
    expect(await getWithHost(fixture.dashboard.url, `localhost:${fixture.dashboard.port}`)).toBe(200);
    const home = await fixture.get('/');
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await home.text()).toContain('data-page="experiments"');
    const script = await fixture.get('/assets/dashboard.js');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toMatch(/^\/\*! uPlot 1\.6\.\d+ \(MIT License\)/);
  });

  it('mounts Bull Board under /queues, read-only', async () => {
    fixture = await seeded();
    const board = await fixture.get('/queues/');
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('curfew queues');
    const api = (await (await fixture.get('/queues/api/queues')).json()) as {
      queues: { name: string; readOnlyMode: boolean }[];
    };
    expect(api.queues.map((q) => [q.name, q.readOnlyMode]).sort()).toEqual([
      ['experiments', true],
      ['runs', true],
    ]);
    expect((await fixture.get('/queues/api/queues/runs/pause', { method: 'PUT' })).status).toBe(405);
  });
});
