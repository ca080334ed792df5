import { type Curve, historyModels, type StopModel } from '@curfew/policies';
import { taskKey } from '@curfew/spec';
import { type HistoryRun, historyRuns, type StoreDatabase } from '@curfew/store';

function curveOf(run: HistoryRun): Curve {
  return {
    id: run.runId,
    task: taskKey(run.task),
    group: run.experimentId,
    metric: 'em',
    mode: 'max',
    budgetTokens: run.budgetTokens,
    features: { family: run.task.family, ...run.task.params, ...run.config },
    evals: run.evals.flatMap((e) => (e.em === null ? [] : [{ step: e.step, tokens: e.tokens, value: e.em }])),
    source: `run ${run.runId}`,
  };
}

/**
 * What `meta` and `auto` learn from: every run of the database that trained to its budget, fitted
 * with the same learning code as `curfew replay --history`. Refitted when that history grows;
 * a task history already holds is judged by a model that never saw it.
 */
export class HistoryModelCache {
  private fitted: { count: number; modelFor: (task: string) => StopModel | null } | null = null;

  constructor(private readonly db: StoreDatabase) {}

  async modelFor(task: {
    family: string;
    params?: Readonly<Record<string, unknown>>;
  }): Promise<StopModel | null> {
    const runs = await historyRuns(this.db);
    if (!this.fitted || this.fitted.count !== runs.length) {
      this.fitted = { count: runs.length, modelFor: historyModels(runs.map(curveOf)) };
    }
    return this.fitted.modelFor(taskKey(task));
  }
}
