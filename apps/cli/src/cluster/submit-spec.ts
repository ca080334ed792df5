import { createQueue, enqueueJob, QUEUE_NAMES } from '@curfew/queue';
import { type ExperimentSpec, expandSearch, experimentRecord } from '@curfew/spec';
import { type StoreDatabase, submitExperiment } from '@curfew/store';
import type { Redis } from 'ioredis';

/**
 * Stores a validated spec as a new experiment (one transaction) and wakes the scheduler. The
 * experiment is in the database before anything is queued, so a scheduler that was down finds
 * it when it starts; returns its id and number of runs.
 */
export async function submitSpec(
  db: StoreDatabase,
  spec: ExperimentSpec,
  queue: { redis: Redis; prefix: string } | null,
): Promise<{ id: string; runs: number }> {
  const id = await submitExperiment(db, experimentRecord(spec));
  if (queue) {
    const experiments = createQueue(QUEUE_NAMES.experiments, queue.redis, queue.prefix);
    try {
      await enqueueJob(experiments, 'expand-experiment', { experimentId: id }, { jobId: id });
    } finally {
      await experiments.close();
    }
  }
  return { id, runs: expandSearch(spec).length };
}
