import type { ExperimentSpec } from './experiment-spec.js';
import { formatProblem, type SpecProblem } from './spec-problem.js';
import { validateSpec } from './validate-spec.js';

/**
 * A spec that failed validation. Classify with {@link isSpecError} (by name), not `instanceof`,
 * which fails across sandboxed processes and duplicate package copies.
 */
export class SpecError extends Error {
  override readonly name = 'SpecError';

  constructor(
    readonly problems: readonly SpecProblem[],
    readonly filename = 'spec',
  ) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    const lines = problems.map((problem) => formatProblem(filename, problem));
    super(`invalid experiment spec (${count}):\n${lines.join('\n')}`);
  }
}

export function isSpecError(error: unknown): error is SpecError {
  return (error as { name?: unknown } | null)?.name === 'SpecError';
}

/** Validates data (a job payload, a stored spec) and returns the spec, or throws a SpecError. */
export function assertValidSpec(data: unknown, filename?: string): ExperimentSpec {
  const result = validateSpec(data);
  if (!result.ok) throw new SpecError(result.problems, filename);
  return result.spec;
}
