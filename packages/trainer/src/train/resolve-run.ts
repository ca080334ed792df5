import type { PolicyOptions } from '@curfew/policies';
import { type ExperimentSpec, type RunConfig, runFeatures } from '@curfew/spec';
import { taskDefaults } from '../tasks/registry';
import type { TrainRun } from './types';

export interface ResolveOptions {
  /** Id of the run (`<experiment>/<trial>`); defaults to `<spec name>/<trial>`. */
  runId?: string;
}

/**
 * The TrainRun of one trial: the spec's sections as parsed, the task family's default budget and
 * eval cadence where the spec leaves them out, and the features learned policies look at.
 */
export function resolveTrainRun(
  spec: ExperimentSpec,
  config: RunConfig,
  options: ResolveOptions = {},
): TrainRun {
  const task = { family: spec.task.family, params: spec.task.params ?? {} };
  const defaults = taskDefaults(task);
  const budgetTokens = spec.budget?.max_tokens_per_run ?? defaults.budgetTokens;
  const evalEveryTokens = Math.min(budgetTokens, spec.eval?.every_tokens ?? defaults.evalEveryTokens);
  return {
    runId: options.runId ?? `${spec.name}/${config.trial}`,
    task,
    model: { family: spec.model.family, params: config.params },
    budgetTokens,
    evalEveryTokens,
    ...(spec.eval?.max_examples !== undefined ? { evalMaxExamples: spec.eval.max_examples } : {}),
    policy: spec.policy as PolicyOptions,
    lrSchedule: spec.lr_schedule,
    regularization: spec.regularization,
    features: runFeatures(spec, config.params),
  };
}
