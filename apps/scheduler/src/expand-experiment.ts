import { ExperimentSpec, expandSearch } from '@curfew/spec';
import {
  getExperiment,
  insertExperimentRuns,
  predictions,
  runsOf,
  type StoreDatabase,
  setExperimentStatus,
} from '@curfew/store';
import { inArray } from 'drizzle-orm';

/** What the meta-learner predicts for a run before it is enqueued. */
export interface RunPrediction {
  metaModelVersion: number | null;
  predictedPeakTokens: number | null;
  low: number | null;
  high: number | null;
  predictedFinalEm: number | null;
  sources: unknown;
}

/**
 * Asks the meta-learner about an experiment's runs (by run id, with their parameters) before they
 * are enqueued; runs it cannot predict (no history yet) are left out of the answer.
 */
export type Predictor = (
  db: StoreDatabase,
  spec: ExperimentSpec,
  runs: readonly { id: string; params: Record<string, unknown> }[],
  budgetTokens: number,
) => Promise<ReadonlyMap<string, RunPrediction>>;

/** The run's budget: the spec's, or the task family's default (resolved by the worker the same way). */
export type BudgetOf = (spec: ExperimentSpec) => number;

/**
 * Expands a pending experiment into its runs, with a prediction beside each, and marks it
 * running. Idempotent: runs that exist are kept (a scheduler restarted mid-expansion adds no
 * duplicates), and predictions are written only for runs that have none.
 */
export async function expandExperiment(
  db: StoreDatabase,
  experimentId: string,
  options: { predict?: Predictor; budgetOf: BudgetOf },
): Promise<number> {
  const experiment = await getExperiment(db, experimentId);
  const spec = ExperimentSpec.parse(experiment.spec);
  const budgetTokens = options.budgetOf(spec);
  const configs = expandSearch(spec);
  await insertExperimentRuns(
    db,
    experiment,
    configs.map((c) => ({
      id: `${experimentId}/${c.trial}`,
      experimentId,
      trial: c.trial,
      config: c.params,
      budgetTokens,
    })),
  );
  if (options.predict) await predictMissing(db, experimentId, spec, budgetTokens, options.predict);
  await setExperimentStatus(db, experimentId, 'running', budgetTokens * configs.length);
  return configs.length;
}

async function predictMissing(
  db: StoreDatabase,
  experimentId: string,
  spec: ExperimentSpec,
  budgetTokens: number,
  predict: Predictor,
) {
  const runs = await runsOf(db, experimentId);
  const ids = runs.map((r) => r.id);
  const have = new Set(
    (
      await db.select({ runId: predictions.runId }).from(predictions).where(inArray(predictions.runId, ids))
    ).map((p) => p.runId),
  );
  if (runs.every((r) => have.has(r.id))) return;
  // The whole sweep is predicted together: features such as a run's lr rank depend on its peers.
  const answers = await predict(
    db,
    spec,
    runs.map((r) => ({ id: r.id, params: r.config })),
    budgetTokens,
  );
  const rows = runs.flatMap((r) => {
    const prediction = answers.get(r.id);
    return prediction && !have.has(r.id) ? [{ runId: r.id, ...prediction }] : [];
  });
  if (rows.length > 0) await db.insert(predictions).values(rows);
}
