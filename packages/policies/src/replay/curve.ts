import type { EvalPoint, Mode } from '../types';

/**
 * One recorded run (DESIGN.md, "Curve files"): its evals of the monitored metric, oldest first.
 * The last eval is the full-budget outcome when the run trained to its budget.
 */
export interface Curve {
  id: string;
  task: string;
  /** The runs that compete (one experiment); defaults to the task. */
  group: string;
  metric: string;
  mode: Mode;
  /** The run's full budget in tokens. */
  budgetTokens: number;
  features: Readonly<Record<string, unknown>>;
  evals: readonly EvalPoint[];
  /** Where the curve came from, for error messages: `file:line`. */
  source: string;
}
