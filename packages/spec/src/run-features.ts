import type { ExperimentSpec } from './experiment-spec.js';
import { taskName } from './task-key.js';

/**
 * What learned policies know of a run: its task family and parameters, its model family, and
 * the trial's model and optimizer parameters (these last win on a clash). The trainer's local
 * decisions and the decision service both describe a run with this.
 */
export function runFeatures(
  spec: Pick<ExperimentSpec, 'task' | 'model'>,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    family: taskName(spec.task),
    model: spec.model?.family ?? 'command',
    ...(spec.task.params ?? {}),
    ...params,
  };
}
