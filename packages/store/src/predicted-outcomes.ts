import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { predictions } from './schema/predictions.js';
import { runs } from './schema/runs.js';

/**
 * The predicted outcome of each run of an experiment that has one: the deployed value (EM, or the
 * monitored metric) the meta-learner expects its full-budget run to reach, from the run's newest
 * prediction. Runs predicted before any meta-model existed, or never predicted, are absent.
 */
export async function predictedOutcomes(
  db: StoreDatabase,
  experimentId: string,
): Promise<Map<string, number>> {
  const rows = await db
    .selectDistinctOn([predictions.runId], { runId: predictions.runId, value: predictions.predictedFinalEm })
    .from(predictions)
    .innerJoin(runs, eq(runs.id, predictions.runId))
    .where(and(eq(runs.experimentId, experimentId), isNotNull(predictions.predictedFinalEm)))
    .orderBy(predictions.runId, desc(predictions.id));
  return new Map(rows.flatMap((r) => (r.value === null ? [] : [[r.runId, r.value] as const])));
}
