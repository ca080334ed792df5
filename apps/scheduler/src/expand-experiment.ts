import { ExperimentSpec, expandSearch } from '@curfew/spec';
import { expandExperimentRuns, getExperiment, type StoreDatabase } from '@curfew/store';

/** What the meta-learner predicts for a run before it is enqueued. */
export interface RunPrediction {
  metaModelVersion: number | null;
  predictedPeakTokens: number | null;
  low: number | null;
  high: number | null;
  predictedFinalEm: number | null;
  /** How well the run is expected to do among its task's runs (0 the worst, 1 the best). */
  predictedRank?: number | null;
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
 * running, all in one transaction that is a compare-and-set pending → running: a scheduler
 * killed half-way leaves nothing, and a cancel that came first wins. Returns the number of runs,
 * or null when the experiment was no longer pending.
 */
export async function expandExperiment(
  db: StoreDatabase,
  experimentId: string,
  options: { predict?: Predictor; budgetOf: BudgetOf; log?: (line: string) => void },
): Promise<number | null> {
  const experiment = await getExperiment(db, experimentId);
  if (experiment.status !== 'pending') return null;
  const spec = ExperimentSpec.parse(experiment.spec);
  const budgetTokens = options.budgetOf(spec);
  const runs = expandSearch(spec).map((c) => ({
    id: `${experimentId}/${c.trial}`,
    experimentId,
    trial: c.trial,
    config: c.params,
    budgetTokens,
  }));
  // Read-only, before the transaction: the whole sweep at once (rank features depend on peers).
  const answers = options.predict
    ? await options.predict(
        db,
        spec,
        runs.map((r) => ({ id: r.id, params: r.config })),
        budgetTokens,
      )
    : new Map<string, RunPrediction>();
  const predictions = runs.flatMap((r) => {
    const prediction = answers.get(r.id);
    return prediction ? [{ runId: r.id, ...prediction }] : [];
  });
  options.log?.(`experiment ${experimentId}: expanding into ${runs.length} runs`);
  const expanded = await expandExperimentRuns(db, {
    experimentId,
    runs,
    predictions,
    budgetTokens: budgetTokens * runs.length,
  });
  return expanded ? runs.length : null;
}
