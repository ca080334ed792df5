import { ExperimentSpec, expandSearch } from '@curfew/spec';
import {
  getExperiment,
  insertExperimentRuns,
  predictions,
  runsOf,
  type StoreDatabase,
  setExperimentStatus,
} from '@curfew/store';

/** What the meta-learner predicts for a run before it is enqueued. */
export interface RunPrediction {
  metaModelVersion: number | null;
  predictedPeakTokens: number | null;
  low: number | null;
  high: number | null;
  predictedFinalEm: number | null;
  sources: unknown;
}

/** Asks the meta-learner about a run (features as in run configs; budget in tokens). */
export type Predictor = (
  db: StoreDatabase,
  features: Record<string, unknown>,
  budgetTokens: number,
) => Promise<RunPrediction | null>;

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
  const have = new Set((await db.select({ runId: predictions.runId }).from(predictions)).map((p) => p.runId));
  for (const run of await runsOf(db, experimentId)) {
    if (have.has(run.id)) continue;
    const features = {
      family: spec.task.family,
      model: spec.model.family,
      ...spec.task.params,
      ...run.config,
    };
    const prediction = await predict(db, features, budgetTokens);
    if (prediction) await db.insert(predictions).values({ runId: run.id, ...prediction });
  }
}
