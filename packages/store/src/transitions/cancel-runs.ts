import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { StoreDatabase } from '../database.js';
import { RunNotFoundError } from '../errors.js';
import { lockExperiment } from '../experiment-lock.js';
import { closeExperimentIfEnded } from '../experiment-records.js';
import { experiments } from '../schema/experiments.js';
import { type RunStatus, runs } from '../schema/runs.js';
import { isFinal, transitionRun } from './run-row.js';

export interface CancelResult {
  /** The experiment had not been expanded into runs yet: it is cancelled and will never be. */
  experimentCancelled: boolean;
  /** Queued runs, now cancelled: they will never start. */
  cancelled: string[];
  /** Running runs, asked to stop: each stops at its next eval and ends as cancelled. */
  requested: string[];
  /** Runs that had already ended, with how. */
  ended: { id: string; status: RunStatus }[];
}

/**
 * Cancels an experiment (every run, or `runIds` only) in one transaction under the experiment's
 * lock: a pending experiment is cancelled before the scheduler expands it, queued runs end as
 * cancelled, running ones are asked to stop at their next eval (so the tokens they trained are
 * counted), ended ones are left alone. Closes the experiment when nothing is left running.
 */
export async function cancelRuns(
  db: StoreDatabase,
  experimentId: string,
  runIds?: readonly string[],
): Promise<CancelResult> {
  return db.transaction(async (tx) => {
    const lock = await lockExperiment(tx, experimentId);
    const result: CancelResult = { experimentCancelled: false, cancelled: [], requested: [], ended: [] };
    if (lock.status === 'pending' && runIds === undefined) {
      await tx
        .update(experiments)
        .set({ status: 'cancelled', finishedAt: sql`now()` })
        .where(and(eq(experiments.id, experimentId), eq(experiments.status, 'pending')));
      result.experimentCancelled = true;
      return result;
    }
    const rows = await tx
      .select({ id: runs.id, status: runs.status })
      .from(runs)
      .where(and(eq(runs.experimentId, experimentId), runIds ? inArray(runs.id, [...runIds]) : undefined))
      .orderBy(asc(runs.trial));
    const missing = (runIds ?? []).filter((id) => !rows.some((r) => r.id === id));
    if (missing.length > 0) throw new RunNotFoundError(`run ${missing[0]} does not exist`);
    for (const run of rows) {
      if (isFinal(run.status)) result.ended.push(run);
      else if (run.status === 'running') result.requested.push(run.id);
      else if (
        await transitionRun(tx, {
          runId: run.id,
          from: ['queued'],
          to: 'cancelled',
          seq: lock.seq,
          set: { stopReason: 'cancelled' },
        })
      )
        result.cancelled.push(run.id);
    }
    if (result.requested.length > 0)
      await tx
        .update(runs)
        .set({ cancelRequestedSeq: lock.seq })
        .where(and(inArray(runs.id, result.requested), isNull(runs.cancelRequestedSeq)));
    await closeExperimentIfEnded(tx, experimentId);
    return result;
  });
}
