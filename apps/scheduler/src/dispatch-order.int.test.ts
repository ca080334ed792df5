import { randomUUID } from 'node:crypto';
import { fitMetaModel } from '@curfew/meta';
import { createQueue, createRedis, DEFAULT_REDIS_URL, QUEUE_NAMES } from '@curfew/queue';
import { type ExperimentSpec, parseSpec } from '@curfew/spec';
import { finishRun, getExperiment, predictions, runsOf, submitExperiment } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatchRuns } from './dispatch-runs';
import { expandExperiment } from './expand-experiment';
import { predictRuns } from './meta-hooks';
import { seedHistory, syntheticHistory } from './refit-test-history';

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

/** Eight runs on a grid of learning rates, lowest first: trial order is the worst order here. */
function sweep(maxParallel: number): ExperimentSpec {
  const result = parseSpec(
    JSON.stringify({
      name: 'promising',
      task: { family: 'add', params: { digits: 4 } },
      model: { family: 'mlp' },
      search: { method: 'grid', space: { lr: { choice: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1] } } },
      budget: { max_tokens_per_run: 500 },
      eval: { every_tokens: 100 },
      policy: { name: 'auto', tolerance: 0.005 },
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

const done = (deployedEm: number) => ({
  status: 'completed' as const,
  stopReason: 'budget' as const,
  tokensUsed: 500,
  valTokens: 0,
  bestStep: 5,
  bestTokens: 500,
  deployedEm,
});

describe('dispatch by predicted outcome', () => {
  it('enqueues the runs the meta-learner expects to do best first, the others as runs end', async () => {
    const db = database.store.db;
    // History: in every task the higher learning rates of the sweep do better (their peak's rank
    // among the task's runs is higher), whatever the task's lr range.
    await seedHistory(
      db,
      syntheticHistory({
        tasks: 3,
        runs: 8,
        evals: 5,
        lr: (i) => 10 ** (-4 + i / 2),
        value: (t, i, k) => ((0.3 + 0.05 * i) * (k + 1)) / 5 - 0.01 * t,
      }),
    );
    await fitMetaModel(db, { notes: 'test' });
    const id = await submit(sweep(2));
    await expandExperiment(db, id, { budgetOf: () => 500, predict: predictRuns });
    const predicted = new Map(
      (await db.select().from(predictions)).map((p) => [p.runId, p.predictedRank as number]),
    );
    expect(predicted.size).toBe(8);
    const best = [...predicted].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([run]) => run);
    // What history taught: the high learning rates (the last trials) are the promising ones.
    expect((predicted.get(`${id}/7`) as number) - (predicted.get(`${id}/0`) as number)).toBeGreaterThan(0.3);

    const queue = createQueue(QUEUE_NAMES.runs, redis, prefix);
    try {
      const experiment = await getExperiment(db, id);
      expect(await dispatchRuns(db, queue, experiment)).toBe(2);
      const first = (await queue.getJobs(['waiting', 'prioritized'])).map((j) => j.id as string);
      expect(first.sort()).toEqual(best.slice(0, 2).sort());
      expect(first.every((run) => Number(run.split('/')[1]) >= 4)).toBe(true);
      // Their waiting jobs fill max_parallel: dispatching again adds nothing.
      expect(await dispatchRuns(db, queue, experiment)).toBe(0);
      // The first two end: the next two most promising follow, not trials 0 and 1.
      for (const run of first) {
        await (await queue.getJob(run))?.remove();
        await finishRun(db, run, done(0.8));
      }
      expect(await dispatchRuns(db, queue, experiment)).toBe(2);
      const second = (await queue.getJobs(['waiting', 'prioritized'])).map((j) => j.id as string);
      expect(second.sort()).toEqual(best.slice(2, 4).sort());
      expect((await runsOf(db, id)).filter((r) => r.status === 'queued')).toHaveLength(6);
    } finally {
      await queue.close();
    }
  });

  it('dispatches in trial order when there is no history to predict from', async () => {
    const db = database.store.db;
    const id = await submit(sweep(3));
    await expandExperiment(db, id, { budgetOf: () => 500, predict: predictRuns });
    expect(await db.select().from(predictions)).toHaveLength(0);
    const queue = createQueue(QUEUE_NAMES.runs, redis, prefix);
    try {
      expect(await dispatchRuns(db, queue, await getExperiment(db, id))).toBe(3);
      const jobs = (await queue.getJobs(['waiting', 'prioritized'])).map((j) => j.id as string);
      expect(jobs.sort()).toEqual([`${id}/0`, `${id}/1`, `${id}/2`]);
    } finally {
      await queue.close();
    }
  });
});

process.on('beforeExit', () => void redis.quit());
