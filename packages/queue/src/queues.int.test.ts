import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, DEFAULT_REDIS_URL } from './connection';
import { QUEUE_NAMES } from './names';
import { createQueue, enqueueJob } from './queues';

const redis = createRedis(process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL, { blocking: true });
const prefix = `{test-${randomUUID()}}`;
const runs = createQueue(QUEUE_NAMES.runs, redis, prefix);
const spec = { name: 'add', task: { family: 'add' as const }, model: { family: 'mlp' as const } };

afterEach(async () => {
  await runs.obliterate({ force: true });
});

describe('enqueueJob on real Redis', () => {
  it('adds a job once per jobId, with the catalog retry options, under the hash-tagged prefix', async () => {
    const { parseJobData } = await import('./job-catalog');
    const data = parseJobData('train-run', {
      runId: 'add-1/0',
      experimentId: 'add-1',
      trial: 0,
      spec,
      params: {},
    });
    await enqueueJob(runs, 'train-run', data, { jobId: 'add-1/0' });
    await enqueueJob(runs, 'train-run', data, { jobId: 'add-1/0' });
    expect((await runs.getJobCounts('waiting')).waiting).toBe(1);
    const job = await runs.getJob('add-1/0');
    expect(job?.opts.attempts).toBe(5);
    expect(await redis.exists(`${prefix}:runs:add-1/0`)).toBe(1);
  });

  it('refuses a payload its schema rejects, enqueuing nothing', async () => {
    await expect(enqueueJob(runs, 'train-run', { runId: 'x' } as never)).rejects.toThrow(
      /^bad train-run payload: runId/,
    );
    expect((await runs.getJobCounts('waiting')).waiting).toBe(0);
  });

  it('refuses a job on the wrong queue', async () => {
    const other = createQueue(QUEUE_NAMES.experiments, redis, prefix);
    try {
      await expect(enqueueJob(other, 'train-run', {} as never)).rejects.toThrow(
        'job train-run belongs on queue runs, not experiments',
      );
    } finally {
      await other.obliterate({ force: true });
      await other.close();
    }
  });
});

process.on('beforeExit', () => {
  void runs.close().then(() => redis.quit());
});
