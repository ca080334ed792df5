/**
 * Task parameters that cannot produce a data set (too few distinct inputs for the requested
 * sizes, a bad value). The message names the parameter: `task.params.train_examples: …`.
 * Classify with {@link isTaskParamsError} (by name), not `instanceof`, which fails across
 * sandboxed processes and duplicate package copies.
 */
export class TaskParamsError extends Error {
  override readonly name = 'TaskParamsError';
}

export function isTaskParamsError(error: unknown): error is TaskParamsError {
  return (error as { name?: unknown } | null)?.name === 'TaskParamsError';
}
