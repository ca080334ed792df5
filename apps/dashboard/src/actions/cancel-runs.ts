import { cancelRuns, getExperiment, type StoreDatabase } from '@curfew/store';
import type { Queue } from 'bullmq';

/** What to cancel: a whole experiment, or one of its runs. */
export interface CancelTarget {
  experimentId: string;
  runId?: string;
}

/**
 * Cancels as `curfew cancel` does, through the store's compare-and-set cancelRuns: an experiment
 * not yet expanded never is, queued runs never start, running ones stop at their next eval. The
 * dashboard's only way to change anything. Returns how many runs it cancelled or asked to stop;
 * an unknown experiment or run throws ExperimentNotFoundError or RunNotFoundError.
 */
export async function cancelTarget(
  db: StoreDatabase,
  runsQueue: Queue | null,
  target: CancelTarget,
): Promise<number> {
  await getExperiment(db, target.experimentId);
  const result = await cancelRuns(db, target.experimentId, target.runId ? [target.runId] : undefined);
  // A cancelled run's waiting job would be skipped by its worker and removed by the scheduler's
  // reconciler; removing it here only frees the queue sooner.
  if (runsQueue)
    for (const id of result.cancelled) {
      const job = await runsQueue.getJob(id);
      if (job && (await job.isWaiting())) await job.remove();
    }
  return result.cancelled.length + result.requested.length;
}
