import { randomUUID } from 'node:crypto';
import { DecisionService } from '@curfew/decisions';
import { createQueue, createRedis, DEFAULT_REDIS_URL, enqueueJob, QUEUE_NAMES } from '@curfew/queue';
import { type ExperimentSpec, parseSpec } from '@curfew/spec';
import { cancelRuns, getExperiment, runsOf, submitExperiment } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { type Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatchRuns } from './dispatch-runs';
import { expandExperiment } from './expand-experiment';
import { reconcileRuns } from './reconcile-runs';

const redis = createRedis(process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL, { blocking: true });
let database: TestDatabase;
let queue: Queue;
beforeEach(async () => {
  database = await postgresBackend.create();
  queue = createQueue(QUEUE_NAMES.runs, redis, `{test-${randomUUID()}}`);
});
afterEach(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await database.cleanup();
});

function spec(trials: number): ExperimentSpec {
  const result = parseSpec(
    JSON.stringify({
      name: 'rec',
      task: { family: 'add' },
      model: { family: 'mlp' },
      search: { method: 'random', trials, seed: 1, space: { lr: { loguniform: [0.001, 0.01] } } },
      budget: { max_tokens_per_run: 1000 },
      resources: { max_parallel: trials },
    }),
    { filename: 'spec.json' },
  );
  if (!result.ok) throw new Error('bad test spec');
  return result.spec;
}

async function expanded(trials: number): Promise<string> {
  const s = spec(trials);
  const id = await submitExperiment(database.store.db, {
    name: s.name,
    spec: s as unknown as Record<string, unknown>,
    taskFamily: s.task.family,
    policy: s.policy.name,
    tolerance: 0.005,
    priority: 0,
    maxParallel: trials,
  });
  expect(await expandExperiment(database.store.db, id, { budgetOf: () => 1000 })).toBe(trials);
  return id;
}

const statuses = async (id: string) =>
  (await runsOf(database.store.db, id)).map((r) => [r.id, r.status, r.attempts]);

describe('the reconciler', () => {
  it('re-enqueues a running run whose job vanished (Redis restarted empty) or failed, and drops jobs of ended runs', async () => {
    const db = database.store.db;
    const id = await expanded(3);
    const service = new DecisionService({ db, maxAttempts: 2 });
    const log: string[] = [];
    const options = { service, log: (line: string) => void log.push(line) };
    const experiment = await getExperiment(db, id);
    expect(await dispatchRuns(db, queue, experiment)).toBe(3);
    for (const runId of [`${id}/0`, `${id}/1`])
      expect(await service.startAttempt({ runId, workerId: 't:1', backend: 'cpu' })).toMatchObject({
        kind: 'started',
      });
    // Run 0's job vanishes; run 1's job failed (stalled more than allowed); run 2 is cancelled.
    await (await queue.getJob(`${id}/0`))?.remove();
    const taker = new Worker(QUEUE_NAMES.runs, null, {
      connection: redis,
      prefix: queue.opts.prefix,
      autorun: false,
    });
    const job1 = await taker.getNextJob('token');
    expect(job1?.id).toBe(`${id}/1`);
    await job1?.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), 'token', false);
    await taker.close();
    await cancelRuns(db, id, [`${id}/2`]);

    expect(await reconcileRuns(db, queue, id, options)).toBe(3);
    expect(await statuses(id)).toEqual([
      [`${id}/0`, 'queued', 1],
      [`${id}/1`, 'queued', 1],
      [`${id}/2`, 'cancelled', 0],
    ]);
    expect(await queue.getJobCounts('waiting', 'failed')).toMatchObject({ waiting: 0, failed: 0 });
    expect(log).toContain(`run ${id}/0: attempt 1 lost (job missing); run queued`);
    expect(await dispatchRuns(db, queue, experiment)).toBe(2);
    // Nothing left to repair: the next pass changes nothing.
    expect(await reconcileRuns(db, queue, id, options)).toBe(0);

    // A run lost again with no attempts left fails, with why.
    await service.startAttempt({ runId: `${id}/0`, workerId: 't:2', backend: 'cpu' });
    await (await queue.getJob(`${id}/0`))?.remove();
    await reconcileRuns(db, queue, id, options);
    const [run0] = await runsOf(db, id);
    expect(run0).toMatchObject({ status: 'failed', attempts: 2 });
    expect(run0?.error).toBe('gave up after 2 attempts (last: its worker was lost (job missing))');
  });

  it('ends as cancelled a run whose cancel waited for a worker that is gone', async () => {
    const db = database.store.db;
    const id = await expanded(1);
    const service = new DecisionService({ db });
    await service.startAttempt({ runId: `${id}/0`, workerId: 't:1', backend: 'cpu' });
    expect(await cancelRuns(db, id)).toMatchObject({ requested: [`${id}/0`] });
    await reconcileRuns(db, queue, id, { service, log: () => undefined });
    expect(await statuses(id)).toEqual([[`${id}/0`, 'cancelled', 1]]);
  });

  it('leaves alone runs whose job a worker holds or will take', async () => {
    const db = database.store.db;
    const id = await expanded(1);
    const service = new DecisionService({ db });
    const experiment = await getExperiment(db, id);
    await dispatchRuns(db, queue, experiment);
    await service.startAttempt({ runId: `${id}/0`, workerId: 't:1', backend: 'cpu' });
    // Waiting (a stalled job BullMQ moved back) counts as live: a worker will take it.
    expect(await reconcileRuns(db, queue, id, { service, log: () => undefined })).toBe(0);
    expect(await statuses(id)).toEqual([[`${id}/0`, 'running', 1]]);
    expect(
      await enqueueJob(queue, 'train-run', (await queue.getJob(`${id}/0`))?.data, { jobId: `${id}/0` }),
    ).toBeDefined();
  });
});

process.on('beforeExit', () => void redis.quit());
