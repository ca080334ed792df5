import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createQueue, createRedis, DEFAULT_REDIS_URL, QUEUE_NAMES } from '@curfew/queue';
import { type ExperimentSpec, parseSpec } from '@curfew/spec';
import { evalsOfRun, getExperiment, runSummary, runsOf, submitExperiment } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcileExternalRuns } from './reconcile-external-runs';
import { type ReportApiServer, startReportApiServer } from './report-api-server';
import { type SchedulerHandle, startScheduler } from './scheduler';

const EXAMPLE = fileURLToPath(new URL('../../../examples/python/logreg/train_external.py', import.meta.url));
const redis = createRedis(process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL, { blocking: true });
const TOKEN = randomBytes(24).toString('hex');

let database: TestDatabase;
let prefix: string;
let scheduler: SchedulerHandle | undefined;
let api: ReportApiServer | undefined;
beforeEach(async () => {
  database = await postgresBackend.create();
  prefix = `{test-${randomUUID()}}`;
});
afterEach(async () => {
  await api?.close();
  await scheduler?.close();
  api = undefined;
  scheduler = undefined;
  const runsQueue = createQueue(QUEUE_NAMES.runs, redis, prefix);
  await runsQueue.obliterate({ force: true });
  await runsQueue.close();
  await database.cleanup();
});

function externalSpec(): ExperimentSpec {
  const result = parseSpec(
    JSON.stringify({
      name: 'logreg-external',
      task: { family: 'custom', name: 'synthetic-logreg', params: { features: 16 } },
      trainer: { external: true, params: { features: 16 } },
      search: { method: 'grid', space: { lr: { grid: [0.03, 0.3] } } },
      budget: { max_tokens_per_run: 200_000 },
      eval: { every_tokens: 5_000 },
      policy: { name: 'auto' },
    }),
    { filename: 'spec.json' },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.spec;
}

async function start(): Promise<{ id: string; url: string }> {
  const spec = externalSpec();
  const db = database.store.db;
  const id = await submitExperiment(db, {
    name: spec.name,
    spec: spec as unknown as Record<string, unknown>,
    taskFamily: spec.task.family,
    policy: spec.policy.name,
    tolerance: 0.005,
    priority: spec.resources.priority,
    maxParallel: spec.resources.max_parallel,
  });
  scheduler = startScheduler({
    db,
    connection: redis,
    queuePrefix: prefix,
    budgetOf: () => 200_000,
    pollMs: 200,
  });
  api = await startReportApiServer({
    service: scheduler.service,
    db,
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
  });
  await scheduler.tick();
  return { id, url: api.url };
}

function python(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', args, { env: { PATH: process.env.PATH ?? '', ...env } });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('the report API', () => {
  it('lets the Python client take every run of an external experiment, stop it early and finish it', async () => {
    const { id, url } = await start();
    const db = database.store.db;
    const result = await python([EXAMPLE, '--experiment', id, '--api', url], { CURFEW_API_TOKEN: TOKEN });
    expect(result.output).toMatch(/trained 2 runs/);
    expect(result.code).toBe(0);
    // Never handed to the workers' queue.
    expect(await createQueue(QUEUE_NAMES.runs, redis, prefix).getJobCounts()).toMatchObject({
      waiting: 0,
      prioritized: 0,
    });
    await scheduler?.tick();
    expect((await getExperiment(db, id)).status).toBe('done');
    const runs = await runsOf(db, id);
    for (const run of runs) {
      const evals = await evalsOfRun(db, run.id);
      expect(evals.length).toBeGreaterThan(2);
      expect(run.backend).toBe('external');
      expect(run.tokensUsed).toBe(evals.at(-1)?.tokens);
      const best = Math.max(...evals.map((e) => e.em ?? 0));
      expect(run.deployedEm).toBe(best);
    }
    const summaries = await db.select().from(runSummary).where(eq(runSummary.experiment, id));
    expect(summaries.map((s) => s.status).sort()).toEqual(expect.arrayContaining(['stopped']));
    expect(summaries.some((s) => (s.tokensSaved ?? 0) > 0 && s.stopReason !== 'exited')).toBe(true);
  }, 180_000);

  it('refuses a request without the token or with a wrong one, and names bad requests', async () => {
    const { id, url } = await start();
    const get = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, init);
    expect((await get(`/v1/experiments/${id}`)).status).toBe(401);
    const wrong = await get(`/v1/experiments/${id}`, {
      headers: { authorization: `Bearer ${TOKEN.slice(1)}x` },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: 'missing or wrong bearer token (Authorization: Bearer $CURFEW_API_TOKEN)',
    });
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const status = await get(`/v1/experiments/${id}`, { headers: auth });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ experiment_id: id, status: 'running' });
    expect((await get('/v1/experiments/nope-1', { headers: auth })).status).toBe(404);

    const taken = await get(`/v1/experiments/${id}/runs`, { method: 'POST', headers: auth, body: '{}' });
    const { run } = (await taken.json()) as { run: { run_id: string; attempt: number; params: unknown } };
    expect(run).toMatchObject({ run_id: `${id}/0`, attempt: 1, params: { lr: 0.03, features: 16 } });
    const report = (body: unknown) =>
      get(`/v1/runs/${run.run_id}/evals`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    const bad = await report({ attempt: 1, step: 1, tokens: -5, metrics: { em: 0.5 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/tokens/);
    const stale = await report({ attempt: 7, step: 1, tokens: 10, metrics: { em: 0.5 } });
    expect(stale.status).toBe(409);
    const notJson = await get(`/v1/runs/${run.run_id}/evals`, {
      method: 'POST',
      headers: auth,
      body: '{"step":',
    });
    expect(notJson.status).toBe(400);
    const diverged = await report({ attempt: 1, step: 1, tokens: 10, metrics: { em: 0.5, loss: 'NaN' } });
    expect(await diverged.json()).toMatchObject({ decision: { kind: 'stop', reason: 'diverged' } });

    // A trainer that goes silent past trainer.eval_timeout_ms loses its run to the next one.
    const service = scheduler?.service as NonNullable<typeof scheduler>['service'];
    const later = Date.now() + 600_001;
    expect(
      await reconcileExternalRuns(database.store.db, id, {
        service,
        log: () => undefined,
        timeoutMs: 600_000,
      }),
    ).toBe(0);
    expect(
      await reconcileExternalRuns(database.store.db, id, {
        service,
        log: () => undefined,
        timeoutMs: 600_000,
        now: later,
      }),
    ).toBe(1);
    const [first] = await runsOf(database.store.db, id);
    expect(first).toMatchObject({ status: 'queued', attempts: 1 });
    const again = await get(`/v1/experiments/${id}/runs`, { method: 'POST', headers: auth, body: '{}' });
    expect(await again.json()).toMatchObject({ run: { run_id: `${id}/0`, attempt: 2 } });
  }, 60_000);
});
