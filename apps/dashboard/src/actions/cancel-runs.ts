import {
  cancelRuns,
  closeExperimentIfEnded,
  getExperiment,
  runStatus,
  runsOf,
  type StoreDatabase,
} from '@curfew/store';
import type { Queue } from 'bullmq';

/** What to cancel: a whole experiment, or one of its runs. */
export interface CancelTarget {
  experimentId: string;
  runId?: string;
}

/**
 * Cancels as `curfew cancel` does, through the store's cancelRuns: queued runs never start
 * (their jobs leave the queue), running ones stop at their next eval. The dashboard's only way
 * to change anything. Returns how many runs it cancelled; an unknown experiment or run throws
 * ExperimentNotFoundError or RunNotFoundError.
 */
export async function cancelTarget(
  db: StoreDatabase,
  runsQueue: Queue | null,
  target: CancelTarget,
): Promise<number> {
  await getExperiment(db, target.experimentId);
  if (target.runId) await runStatus(db, target.runId);
  const ids = target.runId ? [target.runId] : (await runsOf(db, target.experimentId)).map((r) => r.id);
  const cancelled = await cancelRuns(db, ids);
  // A waiting job is removed; an active one is locked by its worker and stops itself.
  if (runsQueue)
    for (const id of ids)
      await (await runsQueue.getJob(id).catch(() => undefined))?.remove().catch(() => undefined);
  await closeExperimentIfEnded(db, target.experimentId);
  return cancelled;
}
