import type { ExperimentSpec } from './experiment-spec.js';

/** What the experiments table records of a submitted spec, besides its id and status. */
export interface ExperimentRecord {
  name: string;
  spec: Record<string, unknown>;
  taskFamily: string;
  policy: string;
  /** The policy's tolerance; null for `none`, which has none. */
  tolerance: number | null;
  priority: number;
  maxParallel: number;
}

/** The experiments-table record of a validated spec (`submitExperiment` stores it). */
export function experimentRecord(spec: ExperimentSpec): ExperimentRecord {
  return {
    name: spec.name,
    spec: spec as unknown as Record<string, unknown>,
    taskFamily: spec.task.family,
    policy: spec.policy.name,
    tolerance: spec.policy.name === 'none' ? null : spec.policy.tolerance,
    priority: spec.resources.priority,
    maxParallel: spec.resources.max_parallel,
  };
}
