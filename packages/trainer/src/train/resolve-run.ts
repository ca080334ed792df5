import type { PolicyOptions } from '@curfew/policies';
import { type ExperimentSpec, isBuiltInTask, type RunConfig, runFeatures } from '@curfew/spec';
import { TaskParamsError } from '../tasks/errors';
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
  if (!spec.model || spec.task.family === 'custom')
    throw new TaskParamsError(
      `${spec.name}: the built-in trainer trains a built-in task with a model; this spec's runs are trained by trainer.command`,
    );
  const { task, budgetTokens, evalEveryTokens } = taskOf(spec, spec.task);
  return {
    runId: options.runId ?? `${spec.name}/${config.trial}`,
    task,
    model:
      spec.model.family === 'module'
        ? { family: 'module', module: spec.model.module, params: config.params }
        : { family: spec.model.family, params: config.params },
    budgetTokens,
    evalEveryTokens,
    ...(spec.eval?.max_examples !== undefined ? { evalMaxExamples: spec.eval.max_examples } : {}),
    policy: spec.policy as PolicyOptions,
    lrSchedule: spec.lr_schedule,
    regularization: spec.regularization,
    features: runFeatures(spec, config.params),
  };
}

/** The TrainRun's task, with its budget and eval cadence (a file task's budget is the spec's). */
function taskOf(spec: ExperimentSpec, task: ExperimentSpec['task']) {
  if (task.family === 'file') {
    const budgetTokens = budgetOfSpec(spec);
    const evalEveryTokens = Math.min(budgetTokens, spec.eval?.every_tokens ?? Math.ceil(budgetTokens / 20));
    return {
      task: { family: 'file' as const, file: task.file, params: task.params },
      budgetTokens,
      evalEveryTokens,
    };
  }
  if (!isBuiltInTask(task))
    throw new TaskParamsError(`${spec.name}: a custom task is trained by trainer.command`);
  const defaults = taskDefaults(task);
  const budgetTokens = spec.budget?.max_tokens_per_run ?? defaults.budgetTokens;
  const evalEveryTokens = Math.min(budgetTokens, spec.eval?.every_tokens ?? defaults.evalEveryTokens);
  return { task: { family: task.family, params: task.params ?? {} }, budgetTokens, evalEveryTokens };
}

/**
 * The budget of each run of an experiment: the spec's, or its task family's default. A command
 * trainer's spec always states one (the spec requires it).
 */
export function budgetOfSpec(spec: Pick<ExperimentSpec, 'budget' | 'task'>): number {
  const stated = spec.budget?.max_tokens_per_run;
  if (stated !== undefined) return stated;
  if (!isBuiltInTask(spec.task))
    throw new TaskParamsError(
      'budget.max_tokens_per_run: required for a custom or file task (no default budget)',
    );
  return taskDefaults(spec.task).budgetTokens;
}
