import { randomUUID } from 'node:crypto';
import { createQueue, createRedis, DEFAULT_REDIS_URL, QUEUE_NAMES } from '@curfew/queue';
import { type ExperimentSpec, parseSpec } from '@curfew/spec';
import { finishRun, getExperiment, predictions, runsOf, submitExperiment } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatchRuns } from './dispatch-runs';
import { expandExperiment } from './expand-experiment';
import { startScheduler } from './scheduler';

const redis = createRedis(process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL, { blocking: true });
let database: TestDatabase;
let prefix: string;
beforeEach(async () => {
  database = await postgresBackend.create();
  prefix = `{test-${randomUUID()}}`;
});
afterEach(async () => {
  const runsQueue = createQueue(QUEUE_NAMES.runs, redis, prefix);
  await runsQueue.obliterate({ force: true });
  await runsQueue.close();
  await database.cleanup();
});

function spec(trials: number, maxParallel: number): ExperimentSpec {
  const result = parseSpec(
    JSON.stringify({
      name: 'sched',
      task: { family: 'add' },
      model: { family: 'mlp' },
      search: { method: 'random', trials, seed: 1, space: { lr: { loguniform: [0.001, 0.01] } } },
      budget: { max_tokens_per_run: 1000 },
      resources: { max_parallel: maxParallel, priority: 3 },
    }),
    { filename: 'spec.json' },
  );
  if (!result.ok) throw new Error('bad test spec');
  return result.spec;
}

async function submit(s: ExperimentSpec): Promise<string> {
  return submitExperiment(database.store.db, {
    name: s.name,
    spec: s as unknown as Record<string, unknown>,
    taskFamily: s.task.family,
    policy: s.policy.name,
    tolerance: 0.005,
    priority: s.resources.priority,
    maxParallel: s.resources.max_parallel,
  });
}

describe('the scheduler', () => {
  it('expands an experiment idempotently, with a prediction beside each run', async () => {
    const db = database.store.db;
    const id = await submit(spec(5, 2));
    expect(id).toBe('sched-1');
    const predict = async (
      _db: unknown,
      _spec: unknown,
      runs: readonly { id: string; params: Record<string, unknown> }[],
    ) =>
      new Map(
        runs.map((r) => [
          r.id,
          {
            metaModelVersion: null,
            predictedPeakTokens: 500,
            low: 300,
            high: 900,
            predictedFinalEm: 0.5,
            sources: { lr: r.params.lr },
          },
        ]),
      );
    await expandExperiment(db, id, { budgetOf: () => 1000, predict });
    // A restart mid-expansion runs it again: nothing is duplicated.
    await expandExperiment(db, id, { budgetOf: () => 1000, predict });
    const runs = await runsOf(db, id);
    expect(runs.map((r) => r.id)).toEqual(['sched-1/0', 'sched-1/1', 'sched-1/2', 'sched-1/3', 'sched-1/4']);
    expect(runs.every((r) => r.budgetTokens === 1000 && r.status === 'queued')).toBe(true);
    expect(await db.select().from(predictions)).toHaveLength(5);
    expect((await getExperiment(db, id)).status).toBe('running');
    expect(await submit(spec(1, 1))).toBe('sched-2');
  });

  it('keeps max_parallel runs in flight, with the experiment priority, and never enqueues a run twice', async () => {
    const db = database.store.db;
    const id = await submit(spec(5, 2));
    await expandExperiment(db, id, { budgetOf: () => 1000 });
    const queue = createQueue(QUEUE_NAMES.runs, redis, prefix);
    try {
      const experiment = await getExperiment(db, id);
      expect(await dispatchRuns(db, queue, experiment)).toBe(2);
      expect(await dispatchRuns(db, queue, experiment)).toBe(0);
      const jobs = await queue.getJobs(['waiting', 'prioritized']);
      expect(jobs.map((j) => j.id).sort()).toEqual(['sched-1/0', 'sched-1/1']);
      expect(jobs.every((j) => j.opts.priority === 3)).toBe(true);
      // One run ends (its job is gone): the next one is dispatched.
      await (await queue.getJob('sched-1/0'))?.remove();
      await finishRun(db, 'sched-1/0', {
        status: 'completed',
        stopReason: 'budget',
        tokensUsed: 1000,
        valTokens: 0,
        bestStep: 1,
        bestTokens: 1000,
        deployedEm: 0.4,
      });
      expect(await dispatchRuns(db, queue, experiment)).toBe(1);
      expect((await queue.getJob('sched-1/2'))?.id).toBe('sched-1/2');
    } finally {
      await queue.close();
    }
  });

  it('closes an experiment when its runs have ended, with its totals, and refits on a schedule beside the polls', async () => {
    const db = database.store.db;
    const id = await submit(spec(2, 2));
    let refits = 0;
    // A refit stays in flight until the test lets it end.
    let release: () => void = () => undefined;
    const scheduler = startScheduler({
      db,
      connection: redis,
      queuePrefix: prefix,
      budgetOf: () => 1000,
      refit: async () => {
        refits += 1;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      pollMs: 60_000,
    });
    try {
      await scheduler.tick();
      expect((await getExperiment(db, id)).status).toBe('running');
      await finishRun(db, `${id}/0`, {
        status: 'stopped',
        stopReason: 'plateau',
        tokensUsed: 400,
        valTokens: 0,
        bestStep: 3,
        bestTokens: 300,
        deployedEm: 0.7,
      });
      await finishRun(db, `${id}/1`, {
        status: 'completed',
        stopReason: 'budget',
        tokensUsed: 1000,
        valTokens: 0,
        bestStep: 9,
        bestTokens: 900,
        deployedEm: 0.75,
      });
      await scheduler.tick();
      expect(await getExperiment(db, id)).toMatchObject({
        status: 'done',
        tokensUsed: 1400,
        budgetTokens: 2000,
        bestEm: 0.75,
        bestRunId: `${id}/1`,
      });
      // The pass that closed the experiment started the refit and did not wait for it: the
      // next pass runs while it is still in flight, and starts no second one.
      await vi.waitFor(() => expect(refits).toBe(1), { timeout: 20_000 });
      await scheduler.tick();
      expect(refits).toBe(1);
      release();
      await scheduler.refitted();
      // Another run completes within the refit interval: no refit, until an experiment that
      // learns from history (auto) is about to be expanded.
      const next = await submit(spec(1, 1));
      await scheduler.tick();
      await finishRun(db, `${next}/0`, {
        status: 'completed',
        stopReason: 'budget',
        tokensUsed: 1000,
        valTokens: 0,
        bestStep: 9,
        bestTokens: 900,
        deployedEm: 0.6,
      });
      await scheduler.tick();
      expect(refits).toBe(1);
      await submit(spec(1, 1));
      const expanding = scheduler.tick();
      // Expanding an auto experiment waits for its refit (it pins the stop models it makes).
      await vi.waitFor(() => expect(refits).toBe(2), { timeout: 20_000 });
      release();
      await expanding;
      expect(refits).toBe(2);
    } finally {
      await scheduler.close();
    }
  });
});

process.on('beforeExit', () => void redis.quit());
