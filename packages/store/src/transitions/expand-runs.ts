import { and, eq } from 'drizzle-orm';
import type { StoreDatabase } from '../database.js';
import { lockExperiment } from '../experiment-lock.js';
import { experiments } from '../schema/experiments.js';
import { type NewPrediction, predictions } from '../schema/predictions.js';
import { type NewRun, runs } from '../schema/runs.js';

/**
 * Expands a pending experiment into its runs (with their predictions) and marks it running, in
 * one transaction: a compare-and-set pending → running, so a cancel that came first wins and a
 * scheduler killed half-way leaves nothing half-written. Returns false when the experiment was
 * no longer pending (cancelled, or expanded by another scheduler).
 */
export async function expandExperimentRuns(
  db: StoreDatabase,
  input: {
    experimentId: string;
    runs: readonly NewRun[];
    predictions: readonly NewPrediction[];
    budgetTokens: number;
  },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const lock = await lockExperiment(tx, input.experimentId);
    if (lock.status !== 'pending') return false;
    if (input.runs.length > 0)
      await tx
        .insert(runs)
        .values([...input.runs])
        .onConflictDoNothing({ target: runs.id });
    if (input.predictions.length > 0) await tx.insert(predictions).values([...input.predictions]);
    await tx
      .update(experiments)
      .set({ status: 'running', budgetTokens: input.budgetTokens })
      .where(and(eq(experiments.id, input.experimentId), eq(experiments.status, 'pending')));
    return true;
  });
}
