import { and, desc, eq, isNotNull, or } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { predictions } from './schema/predictions.js';
import { runs } from './schema/runs.js';

/** What the meta-learner expected of a run when its experiment was expanded. */
export interface PredictedOutcome {
  /** Its place among its task's runs: 0 the worst, 1 the best (null without an outcome model). */
  rank: number | null;
  /** The deployed value (EM, or the monitored metric) of its full-budget run. */
  value: number | null;
}

/**
 * The predicted outcome of each run of an experiment that has one, from the run's newest
 * prediction. Runs predicted before any meta-model existed, or never predicted, are absent.
 */
export async function predictedOutcomes(
  db: StoreDatabase,
  experimentId: string,
): Promise<Map<string, PredictedOutcome>> {
  const rows = await db
    .selectDistinctOn([predictions.runId], {
      runId: predictions.runId,
      rank: predictions.predictedRank,
      value: predictions.predictedFinalEm,
    })
    .from(predictions)
    .innerJoin(runs, eq(runs.id, predictions.runId))
    .where(
      and(
        eq(runs.experimentId, experimentId),
        or(isNotNull(predictions.predictedRank), isNotNull(predictions.predictedFinalEm)),
      ),
    )
    .orderBy(predictions.runId, desc(predictions.id));
  return new Map(rows.map((r) => [r.runId, { rank: r.rank, value: r.value }]));
}
